package io.mailroom.store;

import java.time.Instant;

/**
 * One envelope address of a recipient row, with its own state: {@code kind} is to, cc or bcc; {@code seq}
 * its place in the envelope (from 1). Its status is one of pending, deferred, sent, failed, unknown;
 * {@code reply} is the one that decided it (its RCPT reply when refused there, else the reply to the end
 * of DATA), {@code failure} what happened when no reply did.
 */
public record Address(int seq, String kind, String address, RecipientStatus status, int attempts, Instant firstAttemptAt,
                      Instant lastAttemptAt, Instant notBefore, StoredReply reply, String failure) { }
