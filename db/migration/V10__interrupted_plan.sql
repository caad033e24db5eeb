-- A run plans the job's CSV while it sends: rows are committed a batch at a time. A run killed before
-- its plan ended must not leave the rest of the CSV unknown to resume, which works from the database alone:
-- the CSV being planned is kept in job_files (kind 'recipients') with its encoding here, and plan_complete
-- stays FALSE until the plan ends (then the copy is dropped); resume finishes the plan from it.
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS plan_complete BOOLEAN DEFAULT TRUE NOT NULL;
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS csv_encoding VARCHAR(60);
