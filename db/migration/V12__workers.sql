-- Several workers (mailroom processes on one or many machines) may send one job from a shared PostgreSQL
-- database. A worker is a row here, alive while its lease is: its heartbeat moves lease_until on; once that
-- has passed, the worker is dead to the others, and what it held is settled by them.
CREATE TABLE IF NOT EXISTS workers (
    id            VARCHAR(100) PRIMARY KEY,
    job_id        BIGINT       NOT NULL REFERENCES jobs (id),
    host          VARCHAR(255) NOT NULL,
    pid           BIGINT       NOT NULL,
    started_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    heartbeat_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    lease_until   TIMESTAMP WITH TIME ZONE NOT NULL,
    stopped_at    TIMESTAMP WITH TIME ZONE
);

-- claimed_by: the worker whose hands the row (its due addresses) is in; NULL: no one's. dot_at: when that
-- worker recorded that the row's final "." goes out next; a dead worker's row with one is unknown, one
-- without goes back to due.
ALTER TABLE recipients ADD COLUMN IF NOT EXISTS claimed_by VARCHAR(100);
ALTER TABLE recipients ADD COLUMN IF NOT EXISTS dot_at TIMESTAMP WITH TIME ZONE;

-- Which worker a run was (NULL: a run on H2, the job's only sender).
ALTER TABLE runs ADD COLUMN IF NOT EXISTS worker_id VARCHAR(100);
