package io.mailroom.smtp;

import java.util.concurrent.Callable;

/**
 * A username and its password. The password is read from its source when a session first needs it, and kept
 * in memory: a run with nothing to send never asks for it. {@link #toString()} never shows the password.
 */
public final class Credentials {
    private final String username;
    private final Callable<String> source;
    private String password;

    private Credentials(String username, Callable<String> source) {
        this.username = username;
        this.source = source;
    }

    public Credentials(String username, String password) {
        this(username, () -> password);
    }

    /** Credentials whose password {@code source} reads when a session first needs it; what it throws becomes a {@link PasswordUnavailableException}. */
    public static Credentials readWhenNeeded(String username, Callable<String> source) {
        return new Credentials(username, source);
    }

    public String username() { return username; }

    /** The password; the first call reads it (the lanes of a run share one read). */
    public synchronized String password() {
        if (password == null) {
            try {
                password = source.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new PasswordUnavailableException(e);
            }
        }
        return password;
    }

    @Override
    public String toString() { return "Credentials[username=" + username + ", password=****]"; }
}
