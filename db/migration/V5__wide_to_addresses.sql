-- A row may name many To addresses; 4,000 characters held about sixteen long ones, and one more ended
-- the whole job with an error. The To list is a row's own data: hold what a row can carry.
ALTER TABLE recipients ALTER COLUMN to_addresses SET DATA TYPE VARCHAR(1000000);
