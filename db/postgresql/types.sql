-- PostgreSQL only (run by io.mailroom.store.Database before Flyway migrates): the migrations in db/migration serve H2 and
-- PostgreSQL alike, and were written with the SQL-standard CLOB and BLOB types, which PostgreSQL names text
-- and bytea. Safe to run again, and by several workers starting at once (one of them makes each type).
DO $$
BEGIN
    BEGIN
        CREATE DOMAIN clob AS text;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
    BEGIN
        CREATE DOMAIN blob AS bytea;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
END
$$;
