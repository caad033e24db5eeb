-- What the job's last complete plan read: the SHA-256 of its CSV file's bytes and the encoding it was read
-- in. A run given the same file again, with every row planned and none skipped, has nothing to plan: it
-- sends at once (a scheduled run of a big job, or one more worker on a shared job, no longer re-reads and
-- renders every row). NULL while a plan runs, and after a plan whose file is not known (a resumed one).
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS planned_digest VARCHAR(200);
