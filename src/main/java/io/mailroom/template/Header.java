package io.mailroom.template;

/** One rendered header line of the template's header block, unfolded, value trimmed. */
public record Header(String name, String value) { }
