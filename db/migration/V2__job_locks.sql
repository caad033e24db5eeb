-- One row per job name, locked (SELECT ... FOR UPDATE) by the process sending that job, in a transaction
-- held open for the whole run: a second process cannot take it, and a process that dies releases it.
CREATE TABLE IF NOT EXISTS job_locks (
    name  VARCHAR(200) PRIMARY KEY
);
