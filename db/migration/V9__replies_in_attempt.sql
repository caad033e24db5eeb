-- An attempt's replies in its own row (see io.mailroom.store.ReplyLog for the format: one line per reply,
-- e.g. "RCPT <a@example.com> 250 2.1.5 Ok"): attempt_replies took a row per reply, each with its key, index
-- and foreign-key check, about half of the writes H2 made to record a message.
-- NULL: an attempt stored before this migration, whose replies stay in attempt_replies; '' : no reply.
-- VARCHAR, not CLOB: H2 keeps a CLOB over a few hundred bytes in its LOB store, more writes per value.
ALTER TABLE attempts ADD COLUMN IF NOT EXISTS replies VARCHAR(1000000);
