package io.mailroom.store;

import java.nio.file.Path;

/** A command that reads or continues jobs was pointed at an H2 file that does not exist; it creates none. */
public final class NoDatabaseException extends Exception {
    private final Path file;

    public NoDatabaseException(Path file, String job) {
        super((job == null ? "" : "no job named \"" + job + "\": ") + "there is no database at " + file);
        this.file = file;
    }

    public Path file() { return file; }
}
