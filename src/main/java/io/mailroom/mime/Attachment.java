package io.mailroom.mime;

/** A file to attach: its name as the recipient will see it, and its bytes. */
public record Attachment(String fileName, byte[] content) { }
