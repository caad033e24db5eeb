-- Rate limits belong to the sending account (SMTP host, port and username) and hold across every job that
-- sends through it: each run names its account, so a run counts the attempts of all runs on the same one.
ALTER TABLE runs ADD COLUMN IF NOT EXISTS account VARCHAR(1200);
