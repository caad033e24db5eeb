package io.mailroom.store;

import io.mailroom.smtp.SmtpReply;
import java.time.Instant;

/** What happened to a recipient: its new status, the deciding reply, a failure or skip reason, and when to retry. */
public record Outcome(RecipientStatus status, SmtpReply reply, String failure, Instant notBefore) { }
