package io.mailroom.mime;

/** A file an HTML body shows in place ({@code <img src="cid:…">}): its path in the template's folder, and its bytes. */
public record InlineImage(String path, byte[] content) { }
