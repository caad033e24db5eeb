package io.mailroom.smtp;

/**
 * The point of the conversation a reply answers or an I/O failure happened at.
 * {@link #END_OF_DATA} is the in-doubt window: after the final "." the server may have accepted the message.
 */
public enum Step { CONNECT, GREETING, EHLO, HELO, STARTTLS, AUTH, MAIL, RCPT, DATA, CONTENT, END_OF_DATA, RSET, NOOP, QUIT }
