-- The ENVID (RFC 3461) an attempt was sent with, when the job asks for delivery status notifications and the server
-- offered DSN: a report that echoes it (Original-Envelope-Id) names the attempt, so mailroom bounces finds its row
-- even where the report names an address the job does not have. NULL: sent without one. Looked up with the row it
-- names (send/Verp's token carries the recipient id), so the recipient_id index serves and no other is written.
ALTER TABLE attempts ADD COLUMN IF NOT EXISTS envid VARCHAR(100);
