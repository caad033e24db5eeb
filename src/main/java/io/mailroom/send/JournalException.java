package io.mailroom.send;

import java.nio.file.Path;

/**
 * The flight journal cannot be used: the file at its place is not one, or belongs to another database
 * ({@link Kind#NOT_OURS}: replaying it would settle attempts of another job's history), or writing it failed,
 * e.g. the disk is full ({@link Kind#WRITE_FAILED}: nothing more is sent, and the next start settles what
 * it holds). Names the file.
 */
public final class JournalException extends Exception {
    public enum Kind { NOT_OURS, WRITE_FAILED }

    private final Kind kind;

    JournalException(Kind kind, Path file, String detail) {
        super(message(kind, file, detail));
        this.kind = kind;
    }

    JournalException(Path file, java.io.IOException cause) {
        super(message(Kind.WRITE_FAILED, file, cause.getMessage()), cause);
        this.kind = Kind.WRITE_FAILED;
    }

    public Kind kind() { return kind; }

    private static String message(Kind kind, Path file, String detail) {
        return switch (kind) {
            case NOT_OURS -> "the flight journal " + file + " cannot be used: " + detail + "; nothing was sent. It records which"
                    + " messages were on the wire when a run stopped; if it came with a database you restored or moved, put that"
                    + " database back. Deleting the journal makes mailroom treat those messages as never sent";
            case WRITE_FAILED -> "writing the flight journal " + file + " failed (" + detail + "); sending stopped and what was"
                    + " recorded stays. Make room, then run the command again: an unfinished job resumes where it stopped";
        };
    }
}
