-- PostgreSQL only (Flyway runs this before migrating): the migrations in db/migration serve H2 and
-- PostgreSQL alike, and were written with the SQL-standard CLOB and BLOB types, which PostgreSQL names text
-- and bytea. Safe to run again on every migration.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.typname = 'clob' AND n.nspname = current_schema()) THEN
        CREATE DOMAIN clob AS text;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.typname = 'blob' AND n.nspname = current_schema()) THEN
        CREATE DOMAIN blob AS bytea;
    END IF;
END
$$;
