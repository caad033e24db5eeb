package io.mailroom.smtp;

/** One command of a transaction and the reply it got; {@code argument} is the address for MAIL and RCPT. */
public record Exchange(Step step, String argument, SmtpReply reply) { }
