package io.mailroom.smtp;

import java.util.concurrent.Callable;

/**
 * A username and where its secret (a password, or an OAuth 2 access token) comes from. The secret is read
 * only when a session is about to open: a run with nothing to send never asks for it. A variable or file is
 * read once and kept in memory for the run; a command (smtp.password.command) is run for every session, so
 * each one authenticates with a fresh token. {@link #toString()} never shows the secret.
 */
public final class Credentials {
    private final String username;
    private final Callable<String> source;
    private final boolean everySession;
    private String kept;

    private Credentials(String username, Callable<String> source, boolean everySession) {
        this.username = username;
        this.source = source;
        this.everySession = everySession;
    }

    /** Credentials whose secret {@code source} reads when a session first needs it; what it throws becomes a {@link PasswordUnavailableException}. */
    public static Credentials readWhenNeeded(String username, Callable<String> source) {
        return new Credentials(username, source, false);
    }

    /** Credentials whose secret {@code source} gets anew for each session (a token helper); failures as {@link #readWhenNeeded}. */
    public static Credentials freshForEachSession(String username, Callable<String> source) {
        return new Credentials(username, source, true);
    }

    public String username() { return username; }

    /**
     * The secret for a session about to open: read from its source on the first call (the lanes of a run share
     * that read), or on every call for a source that gives a fresh one each time (the lanes then each get their own).
     */
    public String forSession() {
        if (everySession) return read();
        synchronized (this) {
            if (kept == null) kept = read();
            return kept;
        }
    }

    private String read() {
        try {
            return source.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new PasswordUnavailableException(e);
        }
    }

    @Override
    public String toString() { return "Credentials[username=" + username + ", password=****]"; }
}
