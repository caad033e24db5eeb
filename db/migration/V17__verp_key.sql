-- The job's secret for VERP return paths (envelope.verp=true): a random key, made when the job first sends with
-- VERP, that signs each attempt's token (send/Verp), so a token in a bounce is known to be one of the job's.
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS verp_key VARCHAR(64);
