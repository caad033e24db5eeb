package io.mailroom.store;

/** The database file is open in another process that does not share it. */
public final class DatabaseBusyException extends Exception {
    public DatabaseBusyException(String url, Throwable cause) {
        super("the database " + url + " is in use by another process (a run, which status and report can read through meanwhile);"
                + " run again when it has finished, or add ;AUTO_SERVER=TRUE to an H2 file URL so runs can share it", cause);
    }
}
