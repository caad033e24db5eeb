package io.mailroom.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.bounce.Mailbox;
import io.mailroom.smtp.Dsn;
import io.mailroom.smtp.PasswordUnavailableException;
import io.mailroom.smtp.Security;
import io.mailroom.testing.JobDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
    void anyDsnKeyAsksForEnvidAndOrcptTooUnlessTurnedOffAndNoneAsksNothing() throws Exception {
        assertEquals(null, JobFile.load(job().write()).send().dsn(), "no dsn.* key: nothing changes on the wire");
        Dsn never = JobFile.load(job().set("dsn.notify", "NEVER").write()).send().dsn();
        assertEquals(new Dsn(java.util.Set.of(), null, true, true), never);
        Dsn chosen = JobFile.load(job().set("dsn.notify", "delay, failure").set("dsn.ret", "full").set("dsn.orcpt", "false").write()).send().dsn();
        assertEquals(new Dsn(java.util.EnumSet.of(Dsn.Notify.FAILURE, Dsn.Notify.DELAY), Dsn.Ret.FULL, true, false), chosen);
        assertEquals("FAILURE,DELAY", chosen.notifyValue());
        assertEquals(null, JobFile.load(job().set("dsn.envid", "false").set("dsn.orcpt", "false").write()).send().dsn(), "nothing left to ask");
        JobSpec spec = JobFile.load(job().set("dsn.notify", "success").set("dsn.ret", "hdrs").set("dsn.envid", "false").write());
        assertEquals(spec.send(), JobFile.fromSnapshot("test-job", JobFile.snapshot(spec.send())), "resume sends as the job file said");
        JobFileException e = assertThrows(JobFileException.class, () -> JobFile.load(job().set("dsn.notify", "failure,bounce").write()));
        assertTrue(e.getMessage().endsWith("dsn.notify: \"failure,bounce\" must be never, or one or more of success, failure and delay separated by"
                + " commas (e.g. failure,delay); \"bounce\" is none of them"), e.getMessage());
    }

    @Test
    void aPasswordCommandIsKeptInTheSnapshotAndIsOneSourceOfThreeForANamedUser() throws Exception {
        SendSettings send = JobFile.load(job().set("smtp.username", "u@x.com").set("smtp.auth", "OAuthBearer")
                .set("smtp.password.command", "oauth2l fetch --cache ~/.token").write()).send();
        assertEquals("oauth2l fetch --cache ~/.token", send.passwordCommand());
        assertEquals(io.mailroom.smtp.AuthMechanism.OAUTHBEARER, send.auth());
        assertEquals(send, JobFile.fromSnapshot("test-job", JobFile.snapshot(send)));

        record Bad(JobDir job, String expected) { }
        for (Bad b : new Bad[] {
                new Bad(job().set("smtp.username", "u@x.com").set("smtp.password.command", "get-token").set("smtp.password.env", "PW"),
                        "set one of smtp.password.env, smtp.password.file and smtp.password.command, not two"),
                new Bad(job().set("smtp.password.command", "get-token"), "smtp.password.command is set but smtp.username is not"),
                new Bad(job().set("smtp.username", "u@x.com"), "no password source: add smtp.password.env, smtp.password.file or smtp.password.command"),
                new Bad(job().set("smtp.auth", "bearer"), "smtp.auth: \"bearer\" must be auto, plain, login, xoauth2 or oauthbearer")}) {
            Path file = b.job().write();
            JobFileException e = assertThrows(JobFileException.class, () -> JobFile.load(file), b.expected());
            assertTrue(e.getMessage().contains(b.expected()), e.getMessage());
        }
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

    private JobDir withBounces(String protocol, String security) throws Exception {
        return job().set("bounces.protocol", protocol).set("bounces.security", security).set("bounces.host", "mail.example.com")
                .set("bounces.username", "bounces@example.com").set("bounces.password.env", "BOUNCE_PW");
    }

    @Test
    void bounceMailboxDefaultsToTlsOnItsProtocolsPortAndReadsTheInbox() throws Exception {
        record Port(String protocol, String security, int port) { }
        for (Port p : new Port[] {new Port("pop3", null, 995), new Port("pop3", "starttls", 110), new Port("pop3", "none", 110),
                new Port("imap", null, 993), new Port("IMAP", "starttls", 143), new Port("imap", "none", 143)}) {
            BounceSettings b = JobFile.load(withBounces(p.protocol(), p.security()).write()).send().bounces().orElseThrow();
            assertEquals(p.port(), b.port(), p.toString());
            assertEquals(p.security() == null ? Mailbox.Security.TLS : Mailbox.Security.valueOf(p.security().toUpperCase()), b.security());
            assertEquals("INBOX", b.folder());
            assertEquals(null, b.moveTo());
            assertFalse(b.allowPlaintextAuth());
            assertEquals(Duration.ofMinutes(1), b.timeout());
        }
        SendSettings plain = JobFile.load(job().write()).send();
        assertEquals(Optional.empty(), plain.bounces(), "no bounce mailbox unless the job names one");
        assertFalse(plain.verp());
        assertFalse(plain.suppressBounced());
    }

    @Test
    void badBounceKeysAreConfigurationErrorsNamingTheKey() throws Exception {
        record Bad(String key, String value, String expected) { }
        for (Bad b : new Bad[] {
                new Bad("bounces.protocol", "smtp", "bounces.protocol: \"smtp\" must be pop3 or imap"),
                new Bad("bounces.security", "ssl", "bounces.security: \"ssl\" must be tls, starttls or none"),
                new Bad("bounces.port", "0", "bounces.port: \"0\" must be a whole number from 1 to 65535"),
                new Bad("bounces.host", null, "bounces.host is required"),
                new Bad("bounces.username", null, "bounces.username is required"),
                new Bad("bounces.password.env", null, "bounces.protocol is set but no password source: add bounces.password.env or"
                        + " bounces.password.file"),
                new Bad("bounces.password", "hunter2", "bounces.password: a literal password is not accepted; name an environment variable with"
                        + " bounces.password.env or a file with bounces.password.file"),
                new Bad("bounces.password.env", "hunter2 is it", "bounces.password.env must name an environment variable (letters, digits and _,"
                        + " e.g. MAILROOM_BOUNCES_PASSWORD)"),
                new Bad("bounces.password.file", "pw.txt", "set bounces.password.env or bounces.password.file, not both"),
                new Bad("bounces.folder", "Bounces", "bounces.folder: POP3 has no folders, only the inbox; set bounces.protocol=imap"),
                new Bad("bounces.move-to", "Done", "bounces.move-to: POP3 has no folders, only the inbox"),
                new Bad("bounces.allow-plaintext-auth", "yes", "bounces.allow-plaintext-auth: \"yes\" must be true or false"),
                new Bad("bounces.timeout", "soon", "bounces.timeout: \"soon\" must be a duration"),
                new Bad("bounces.protocl", "imap", "bounces.protocl (did you mean bounces.protocol?)"),
                new Bad("envelope.verp", "maybe", "envelope.verp: \"maybe\" must be true or false"),
                new Bad("recipients.suppress-bounced", "1", "recipients.suppress-bounced: \"1\" must be true or false")}) {
            Path file = withBounces("pop3", null).set(b.key(), b.value()).write();
            JobFileException e = assertThrows(JobFileException.class, () -> JobFile.load(file), b.key());
            assertTrue(e.getMessage().contains(b.expected()) && e.getMessage().contains("job.job"), e.getMessage());
            assertFalse(e.getMessage().contains("hunter2"), "the password is never repeated");
        }
        Path imap = withBounces("imap", null).set("bounces.move-to", "INBOX").write();
        assertTrue(assertThrows(JobFileException.class, () -> JobFile.load(imap)).getMessage().contains("bounces.move-to: \"INBOX\" is the folder"
                + " read (bounces.folder); name another folder, or leave it out to delete processed messages"));
        Path noProtocol = job().set("bounces.host", "mail.example.com").write();
        assertTrue(assertThrows(JobFileException.class, () -> JobFile.load(noProtocol)).getMessage().contains("bounces.host is set but"
                + " bounces.protocol is not: set bounces.protocol=pop3 or imap"));
    }

    @Test
    void bounceKeysVerpAndSuppressionAreInTheSettingsSnapshotButNotThePassword() throws Exception {
        JobSpec spec = JobFile.load(withBounces("imap", "starttls").set("bounces.port", "1143").set("bounces.folder", "Bounces")
                .set("bounces.move-to", "Bounces/Done").set("bounces.trust", "certs/ca.pem").set("bounces.allow-plaintext-auth", "true")
                .set("bounces.timeout", "90s").set("envelope.verp", "true").set("recipients.suppress-bounced", "TRUE").write());
        String snapshot = JobFile.snapshot(spec.send());

        SendSettings stored = JobFile.fromSnapshot("test-job", snapshot);

        assertEquals(spec.send(), stored);
        assertEquals(new BounceSettings(Mailbox.Protocol.IMAP, "mail.example.com", 1143, Mailbox.Security.STARTTLS, "bounces@example.com",
                "BOUNCE_PW", null, true, dir.resolve("certs/ca.pem").toAbsolutePath(), "Bounces", "Bounces/Done", Duration.ofSeconds(90)),
                stored.bounces().orElseThrow());
        assertTrue(stored.verp() && stored.suppressBounced());
        Path pwFile = dir.resolve("pw.txt");
        Files.writeString(pwFile, "s3cret-bounce\n");
        SendSettings withFile = JobFile.load(withBounces("pop3", null).set("bounces.password.env", null).set("bounces.password.file", "pw.txt")
                .write()).send();
        String fileSnapshot = JobFile.snapshot(withFile);
        assertEquals(withFile, JobFile.fromSnapshot("test-job", fileSnapshot));
        assertFalse(fileSnapshot.contains("s3cret-bounce"));
        assertEquals(Optional.empty(), JobFile.fromSnapshot("test-job", JobFile.snapshot(JobFile.load(job().write()).send())).bounces());
    }

    @Test
    void theBounceMailboxPasswordIsReadOnlyWhenAConnectionAsksForIt() throws Exception {
        BounceSettings b = JobFile.load(withBounces("pop3", null).write()).send().bounces().orElseThrow();
        List<String> asked = new ArrayList<>();
        Mailbox m = b.toMailbox(name -> {
            asked.add(name);
            return "s3cret-bounce";
        });
        assertEquals(List.of(), asked, "not read yet");
        assertEquals(new Mailbox(Mailbox.Protocol.POP3, "mail.example.com", 995, Mailbox.Security.TLS, "bounces@example.com", m.password(), false,
                null, "INBOX", null, Duration.ofMinutes(1)), m);

        assertEquals("s3cret-bounce", m.password().get());
        assertEquals(List.of("BOUNCE_PW"), asked);
        assertFalse(m.toString().contains("s3cret"));

        PasswordUnavailableException unset = assertThrows(PasswordUnavailableException.class, () -> b.toMailbox(name -> null).password().get());
        assertEquals("environment variable BOUNCE_PW (named by bounces.password.env) is not set", unset.getMessage());
        assertTrue(unset.getCause() instanceof JobFileException, "exits 78 as an unset SMTP password does");
    }
    @Test
    void dkimAndListUnsubscribeKeysAreInTheSettingsSnapshotWithTheKeysPathOnly() throws Exception {
        JobSpec spec = JobFile.load(job().set("dkim.domain", "Example.COM").set("dkim.selector", "mail2026").set("dkim.key.file", "keys/dkim.pem")
                .set("dkim.headers", "In-Reply-To, References").set("list-unsubscribe.url", "https://example.com/u?e=${email?url}")
                .set("list-unsubscribe.mailto", "leave@example.com").write());
        assertEquals(new DkimSettings("example.com", "mail2026", dir.resolve("keys/dkim.pem").toAbsolutePath(), List.of("In-Reply-To", "References")),
                spec.send().dkim());
        assertEquals(new ListUnsubscribe("https://example.com/u?e=${email?url}", "leave@example.com"), spec.send().unsubscribe());
        assertEquals(spec.send(), JobFile.fromSnapshot("test-job", JobFile.snapshot(spec.send())));
        assertEquals(null, JobFile.load(job().write()).send().dkim());
    }

    @Test
    void badDkimAndListUnsubscribeKeysAreConfigurationErrorsNamingTheKey() throws Exception {
        record Bad(String key, String value, String expected) { }
        for (Bad b : new Bad[] {
                new Bad("dkim.selector", null, "dkim.selector missing: DKIM signing needs dkim.domain (d=), dkim.selector (s=) and dkim.key.file"),
                new Bad("dkim.domain", "localhost", "dkim.domain: \"localhost\" must be a domain name such as example.com"),
                new Bad("dkim.selector", "mail 2026", "dkim.selector: \"mail 2026\" must be DNS labels"),
                new Bad("dkim.headers", "Received", "dkim.headers: Received cannot be signed: servers on the way add it"),
                new Bad("dkim.headers", "Bcc", "dkim.headers: Bcc cannot be signed: it never goes on the wire"),
                // h= is a tag of the signature, which ';' would end early (RFC 6376 section 3.2)
                new Bad("dkim.headers", "X-Id;x", "dkim.headers: \"X-Id;x\" is not a header name"),
                new Bad("dkim.keyfile", "k.pem", "dkim.keyfile (did you mean dkim.key.file?)"),
                new Bad("list-unsubscribe.url", "http://example.com/u", "list-unsubscribe.url: \"http://example.com/u\" must be an https:// URL")}) {
            Path file = job().set("dkim.domain", "example.com").set("dkim.selector", "s1").set("dkim.key.file", "k.pem").set(b.key(), b.value()).write();
            JobFileException e = assertThrows(JobFileException.class, () -> JobFile.load(file), b.key());
            assertTrue(e.getMessage().contains(b.expected()) && e.getMessage().contains("job.job"), e.getMessage());
        }
    }
}
