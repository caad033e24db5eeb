-- When a recipient was first tried: retries give up a set time after it (retry.give-up-after).
ALTER TABLE recipients ADD COLUMN IF NOT EXISTS first_attempt_at TIMESTAMP WITH TIME ZONE;
