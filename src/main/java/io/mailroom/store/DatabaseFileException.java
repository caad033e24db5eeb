package io.mailroom.store;

/**
 * The database file cannot serve the job: it is damaged, truncated or not an H2 database ({@link Kind#DAMAGED}:
 * mailroom uses none of it), or a write to it failed, e.g. the disk is full ({@link Kind#WRITE_FAILED}: what was
 * committed before stays, and the job resumes from there once the write can succeed). Names the file, never a
 * password.
 */
public final class DatabaseFileException extends Exception {
    public enum Kind { DAMAGED, WRITE_FAILED }

    private final Kind kind;
    private final String file;

    DatabaseFileException(Kind kind, String file, String detail, Throwable cause) {
        super(message(kind, file, detail), cause);
        this.kind = kind;
        this.file = file;
    }

    public Kind kind() { return kind; }

    /** The database file (or, for a database that is not a local file, its URL as it may be shown). */
    public String file() { return file; }

    private static String message(Kind kind, String file, String detail) {
        return switch (kind) {
            case DAMAGED -> "the database " + file + " is damaged or not an H2 database (" + detail + "); mailroom will not use it."
                    + " Restore it from a backup, or point --db or MAILROOM_DB at another database, knowing that mailroom sends"
                    + " again what that database does not record as sent";
            case WRITE_FAILED -> "writing to the database " + file + " failed (" + detail + "); what was recorded before stays."
                    + " Make room (or move the file to a disk with room and point --db there), then run the command again:"
                    + " an unfinished job resumes where it stopped";
        };
    }
}
