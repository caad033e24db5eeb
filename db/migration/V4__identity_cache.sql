-- H2 writes an identity column's state to disk each time its cache of values runs out (32 by default),
-- which costs a whole durable store in the middle of a send. Larger caches only leave gaps in ids after
-- a restart.
ALTER TABLE attempts ALTER COLUMN id SET CACHE 4096;
ALTER TABLE recipients ALTER COLUMN id SET CACHE 4096;
