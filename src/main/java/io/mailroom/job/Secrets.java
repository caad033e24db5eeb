package io.mailroom.job;

import io.mailroom.smtp.Credentials;
import io.mailroom.smtp.PasswordUnavailableException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Resolves a password from the environment variable or file the job names (smtp.password.* for the SMTP
 * server, bounces.password.* for the bounce mailbox), or for the SMTP server from the command it names
 * ({@link PasswordCommand}, run for every session); it is held only in memory, and read only when a
 * connection is about to open (a run or resume with nothing to send never needs it).
 */
final class Secrets {
    private Secrets() { }

    /** {@code folder}: where smtp.password.command runs, the folder of the job file (its last run's, for resume). */
    static Credentials credentials(SendSettings s, Function<String, String> env, Path folder) {
        if (s.username() == null) return null;
        if (s.passwordCommand() != null) {
            PasswordCommand command = new PasswordCommand(s.passwordCommand(), folder, s.timeout() != null ? s.timeout() : PasswordCommand.DEFAULT_TIMEOUT);
            return Credentials.freshForEachSession(s.username(), command::run);
        }
        return Credentials.readWhenNeeded(s.username(), () -> password("smtp", s.passwordEnv(), s.passwordFile(), env));
    }

    /** The bounce mailbox's password, read when asked; what stops it being read is thrown as a {@link PasswordUnavailableException}. */
    static Supplier<String> bouncePassword(BounceSettings b, Function<String, String> env) {
        return () -> {
            try {
                return password("bounces", b.passwordEnv(), b.passwordFile(), env);
            } catch (JobFileException | InputMissingException e) {
                throw new PasswordUnavailableException(e);
            }
        };
    }

    /** {@code keys} is the prefix of the job-file keys that name the source: smtp or bounces. */
    private static String password(String keys, String variable, Path file, Function<String, String> env)
            throws JobFileException, InputMissingException {
        if (variable != null) {
            String v = env.apply(variable);
            if (v == null || v.isEmpty()) {
                throw new JobFileException("environment variable " + variable + " (named by " + keys + ".password.env) is not set");
            }
            return v;
        }
        try {
            String v = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (v.isEmpty()) throw new JobFileException(file + " (" + keys + ".password.file) is empty");
            return v;
        } catch (NoSuchFileException e) {
            throw new InputMissingException(file + ": password file not found (" + keys + ".password.file)", e);
        } catch (IOException e) {
            throw new InputMissingException(file + ": cannot read the password file: " + e.getMessage(), e);
        }
    }
}
