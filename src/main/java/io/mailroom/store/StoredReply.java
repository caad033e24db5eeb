package io.mailroom.store;

/** A reply as stored: code, enhanced code (may be null) and text. Null code means no reply decided it. */
public record StoredReply(int code, String enhanced, String text) { }
