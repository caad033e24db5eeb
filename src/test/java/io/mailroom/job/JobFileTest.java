package io.mailroom.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.smtp.Security;
import io.mailroom.testing.JobDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobFileTest {
    @TempDir
    Path dir;

    private JobDir job() throws Exception {
        return new JobDir(dir).smtp("smtp.example.com", 587, "starttls");
    }

    @Test
    void defaultsFollowTheSecurityModeAndPathsResolveAgainstTheJobFile() throws Exception {
        JobSpec spec = JobFile.load(job().set("smtp.port", null).set("smtp.security", "tls").set("smtp.timeout", "30s").write());
        assertEquals(465, spec.send().port());
        assertEquals(Security.TLS, spec.send().security());
        assertEquals(Duration.ofSeconds(30), spec.send().timeout());
        assertEquals(dir.resolve("recipients.csv").toAbsolutePath(), spec.recipients());
        assertEquals("test-job", spec.name());
    }

    @Test
    void settingsSnapshotRoundTripsWithoutThePassword() throws Exception {
        JobSpec spec = JobFile.load(job().set("smtp.username", "u@x.com").set("smtp.password.env", "PW").set("smtp.timeout", "2m")
                .set("smtp.connections", "4").set("message.max-size", "10MB").set("attachment.max-size", "512kb")
                .set("recipients.max-row-size", "64K").set("template.max-render-time", "2s").write());
        String snapshot = JobFile.snapshot(spec.send());
        assertEquals(spec.send(), JobFile.fromSnapshot("test-job", snapshot));
        assertEquals(4, spec.send().connections());
        assertEquals(new RowLimits(64 << 10, Duration.ofSeconds(2), 512 << 10, 10 << 20), spec.send().limits());
        assertEquals(1, JobFile.load(job().write()).send().connections(), "one session by default");
    }

    @Test
    void anUnknownKeyIsNamedWithItsLineAndTheKeyItIsLikelyATypoOf() throws Exception {
        Path file = job().write();
        Files.writeString(file, Files.readString(file) + "# the key column\nkey = email\nsmtp.conections=2\nflavour=vanilla\n");

        JobFileException e = assertThrows(JobFileException.class, () -> JobFile.load(file));

        int lines = (int) Files.readString(file).lines().count();
        assertTrue(e.getMessage().contains("unknown keys line " + lines + ": flavour, line " + (lines - 2) + ": key (did you mean recipients.key?), line "
                + (lines - 1) + ": smtp.conections (did you mean smtp.connections?)"), e.getMessage());
    }

    @Test
    void badKeysAreConfigurationErrorsNamingFileAndKey() throws Exception {
        record Bad(String key, String value, String expected) { }
        for (Bad b : new Bad[] {
                new Bad("smtp.hots", "x", "smtp.hots (did you mean smtp.host?)"),
                new Bad("smtp.port", "abc", "smtp.port"),
                new Bad("smtp.port", "70000", "smtp.port"),
                new Bad("smtp.security", "ssl", "smtp.security"),
                new Bad("smtp.timeout", "soon", "smtp.timeout"),
                new Bad("smtp.connections", "0", "smtp.connections"),
                new Bad("smtp.connections", "51", "smtp.connections"),
                new Bad("smtp.password", "hunter2", "literal password"),
                new Bad("smtp.allow-plaintext-auth", "yes", "smtp.allow-plaintext-auth"),
                new Bad("recipients.encoding", "klingon", "recipients.encoding"),
                new Bad("name", "has space", "name"),
                new Bad("message.max-size", "huge", "message.max-size: \"huge\" must be a size like 500KB, 25MB or 1GB"),
                new Bad("attachment.max-size", "2GB", "attachment.max-size"),
                new Bad("recipients.max-row-size", "0", "recipients.max-row-size"),
                new Bad("template.max-render-time", "forever", "template.max-render-time"),
                new Bad("smtp.password.env", "hunter2 is my password", "must name an environment variable"),
                new Bad("smtp.host", null, "smtp.host is required")}) {
            Path file = job().set(b.key(), b.value()).write();
            JobFileException e = assertThrows(JobFileException.class, () -> JobFile.load(file), b.key());
            assertTrue(e.getMessage().contains(b.expected()) && e.getMessage().contains("job.job"), e.getMessage());
            assertTrue(!e.getMessage().contains("hunter2"), "the password is never repeated");
        }
    }

    @Test
    void usernameWithoutPasswordSourceIsRefused() throws Exception {
        Path file = job().set("smtp.username", "u@x.com").write();
        assertThrows(JobFileException.class, () -> JobFile.load(file));
    }
}
