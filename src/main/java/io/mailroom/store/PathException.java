package io.mailroom.store;

import java.io.IOException;

/**
 * A place mailroom was told to write cannot be written: a folder (--sandbox, preview's --output, the database's
 * folder) with a file on its path, or a folder or database file the system refuses to make (/proc/x). Its message
 * names the path and what is wrong; the command line (or MAILROOM_DB) named it, so it is a usage error.
 */
public final class PathException extends IOException {
    public PathException(String message, Throwable cause) {
        super(message, cause);
    }
}
