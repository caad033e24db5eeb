-- The flight journal (a file beside the database, see the README) names attempts by run and number, so
-- replaying it after a crash finds the ones the store already has: flight_no is that number.
ALTER TABLE attempts ADD COLUMN IF NOT EXISTS flight_no INT;

-- A random token written into the job's journal file: a journal that does not carry it belongs to
-- another database and is refused.
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS journal_token VARCHAR(64);
