package io.mailroom.job;

import io.mailroom.smtp.Credentials;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.function.Function;

/**
 * Resolves the password from the environment variable or file the job names; it is held only in memory, and
 * read only when a session is about to open (a run or resume with nothing to send never needs it).
 */
final class Secrets {
    private Secrets() { }

    static Credentials credentials(SendSettings s, Function<String, String> env) {
        if (s.username() == null) return null;
        return Credentials.readWhenNeeded(s.username(), () -> password(s, env));
    }

    private static String password(SendSettings s, Function<String, String> env) throws JobFileException, InputMissingException {
        if (s.passwordEnv() != null) {
            String v = env.apply(s.passwordEnv());
            if (v == null || v.isEmpty()) {
                throw new JobFileException("environment variable " + s.passwordEnv() + " (named by smtp.password.env) is not set");
            }
            return v;
        }
        try {
            String v = Files.readString(s.passwordFile(), StandardCharsets.UTF_8).strip();
            if (v.isEmpty()) throw new JobFileException(s.passwordFile() + " (smtp.password.file) is empty");
            return v;
        } catch (NoSuchFileException e) {
            throw new InputMissingException(s.passwordFile() + ": password file not found (smtp.password.file)", e);
        } catch (IOException e) {
            throw new InputMissingException(s.passwordFile() + ": cannot read the password file: " + e.getMessage(), e);
        }
    }
}
