package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.testing.DkimVerifier;
import io.mailroom.testing.JobDir;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * DKIM signing checked where it counts: on the bytes GreenMail received after a real run, by an independent
 * verifier (dkimpy), for RSA and Ed25519 keys, with and without List-Unsubscribe, for every message structure;
 * and keys that cannot sign refused before anything is sent.
 */
class DkimTest extends AgainstGreenMail {
    private static final String TEMPLATE = """
            From: Équipe Exemple <team@example.com>
            To: ${name} <${email}>
            Subject: Grüße, ${name}! Ihre Nummer ${n}
            <#if attach == "yes">Attachment: notes.txt</#if>

            Hallo ${name}, Ihre Nummer ist ${n}.
            Straße   mit    Leerzeichen  \t
            Ende.


            """;
    private static final String HTML = "<p>Hallo <b>${name}</b> — ${n}</p>\n";
    private static final String CSV = "email,name,n,attach\njose@example.com,José Núñez,1,%s\nwang@example.com,王芳,2,%s\n";

    /** A job through GreenMail (AUTH over plaintext, loopback), signing with {@code key} as d=example.com, s=mail2026. */
    private JobDir job(Path key, boolean attachment) throws Exception {
        String attach = attachment ? "yes" : "no";
        return greenMailJob().file("message.ftl", TEMPLATE).csv(String.format(CSV, attach, attach)).file("notes.txt", "Notizen — 1\r\nline two\n")
                .set("dkim.domain", "example.com").set("dkim.selector", "mail2026").set("dkim.key.file", key.toString());
    }

    /** Each message as GreenMail stored it (Received and Return-Path added in front, which DKIM ignores). */
    private static List<byte[]> received() throws Exception {
        List<byte[]> out = new ArrayList<>();
        for (MimeMessage m : server.received()) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            m.writeTo(bytes);
            out.add(bytes.toByteArray());
        }
        return out;
    }

    private String verify(byte[] message, DkimVerifier.Key key) throws Exception {
        return DkimVerifier.verify(message, key.record(), "mail2026", "example.com", dir);
    }

    /** The DKIM-Signature header of {@code message}, unfolded. */
    private static String signature(byte[] message) {
        Matcher m = Pattern.compile("(?m)^DKIM-Signature:((?:.*)(?:\\r\\n[ \\t].*)*)").matcher(new String(message, StandardCharsets.ISO_8859_1));
        assertTrue(m.find(), "no DKIM-Signature in " + new String(message, StandardCharsets.ISO_8859_1));
        return m.group(1).replaceAll("\\r\\n[ \\t]", " ");
    }

    private DkimVerifier.Key key(String kind) throws Exception {
        return switch (kind) {
            case "rsa-pkcs1" -> DkimVerifier.rsa(dir.resolve("rsa1.pem"), 2048, true);
            case "rsa-pkcs8" -> DkimVerifier.rsa(dir.resolve("rsa8.pem"), 2048, false);
            default -> DkimVerifier.ed25519(dir.resolve("ed.pem"));
        };
    }

    @ParameterizedTest(name = "{0} key, {1}, List-Unsubscribe {2}")
    @CsvSource({
            "rsa-pkcs1, text, false",
            "rsa-pkcs8, alternative, true",
            "ed25519, text, true",
            "ed25519, alternative+attachment, false",
            "rsa-pkcs8, text+attachment, true",
    })
    void messagesAsReceivedPassAnIndependentVerifier(String keyKind, String structure, boolean unsubscribe) throws Exception {
        DkimVerifier.requireInstalled();
        DkimVerifier.Key key = key(keyKind);
        JobDir job = job(key.pem(), structure.contains("attachment"));
        if (structure.contains("alternative")) job.file("message.html.ftl", HTML).set("template.html", "message.html.ftl");
        if (unsubscribe) job.set("list-unsubscribe.url", "https://example.com/unsubscribe?u=${email?url}").set("list-unsubscribe.mailto", "leave@example.com");
        Cli.Result run = mailroom("run", job.write().toString());
        assertEquals(0, run.exit(), run.all());

        List<byte[]> got = received();
        assertEquals(2, got.size());
        for (byte[] m : got) {
            assertEquals("pass", verify(m, key), new String(m, StandardCharsets.UTF_8));
            String sig = signature(m);
            assertTrue(sig.contains("a=" + (keyKind.startsWith("rsa") ? "rsa-sha256" : "ed25519-sha256") + ";"), sig);
            assertTrue(sig.contains("c=relaxed/relaxed;") && sig.contains("d=example.com;") && sig.contains("s=mail2026;"), sig);
            String h = sig.replaceAll("(?s).*\\bh=([^;]*);.*", "$1").replaceAll("\\s", "");
            String expected = "from:from:to:subject:date:message-id:mime-version:content-type"
                    + (unsubscribe ? ":list-unsubscribe:list-unsubscribe-post" : "");
            assertEquals(expected, h, "every signed header once, From once more (over-signed)");
            for (String line : new String(m, StandardCharsets.ISO_8859_1).split("\r\n")) {
                if (line.startsWith("DKIM-Signature") || line.startsWith(" ")) assertTrue(line.length() < 78, "folded under 78: " + line);
            }
        }
    }

    @Test
    void anInternationalizedMessageWithEveryFeatureVerifiesAsPreviewWritesIt() throws Exception {
        DkimVerifier.requireInstalled();
        DkimVerifier.Key key = key("rsa-pkcs8");
        String template = """
                From: Équipe <équipe@example.com>
                To: ${name} <${email}>
                Content-Type: text/markdown
                Subject: Grüße, ${name}

                # Hallo ${name}

                **Straße**   mit  Leerzeichen\t
                ![logo](cid:logo.png)
                .
                Ende ohne Zeilenumbruch""";
        Path jobFile = job(key.pem(), true).file("message.ftl", template).bytes("logo.png", new byte[] {1, 2, 3})
                .csv("email,name,n,attach\njosé@exämple.com,José,1,no\n")
                .set("list-unsubscribe.url", "https://example.com/u?e=${email?url}").write();
        Path out = dir.resolve("preview");
        Cli.Result preview = Cli.run("preview", jobFile.toString(), "--output", out.toString());
        assertEquals(0, preview.exit(), preview.all());
        try (var files = Files.list(out)) {
            byte[] m = Files.readAllBytes(files.findFirst().orElseThrow());
            assertTrue(new String(m, StandardCharsets.UTF_8).contains("To: \"José\" <josé@"), new String(m, StandardCharsets.UTF_8));
            assertEquals("pass", verify(m, key), new String(m, StandardCharsets.UTF_8));
        }
    }

    @Test
    void aMessageAlteredAfterSigningFailsVerification() throws Exception {
        DkimVerifier.requireInstalled();
        DkimVerifier.Key key = key("ed25519");
        assertEquals(0, mailroom("run", job(key.pem(), false).write().toString()).exit());
        byte[] m = received().get(0);
        assertEquals("pass", verify(m, key));
        String text = new String(m, StandardCharsets.ISO_8859_1);

        byte[] body = m.clone();
        int dot = text.indexOf("Ende.");
        body[dot] = 'e';
        assertTrue(verify(body, key).startsWith("fail"), "one body byte changed");

        int subject = text.indexOf("\r\nSubject: ") + "\r\nSubject: ".length();
        byte[] header = text.substring(0, subject).concat("X").concat(text.substring(subject + 1)).getBytes(StandardCharsets.ISO_8859_1);
        assertTrue(verify(header, key).startsWith("fail"), "a signed header changed");

        String twoFroms = "From: boss@example.com\r\n" + text;
        assertTrue(verify(twoFroms.getBytes(StandardCharsets.ISO_8859_1), key).startsWith("fail"), "a From added in front (From is over-signed)");

        assertTrue(DkimVerifier.verify(m, key.record(), "other", "example.com", dir).startsWith("fail"), "the key is looked up by s= and d=");
    }

    @Test
    void resumeSignsWithTheKeyFileTheJobNamesAndTheDatabaseHoldsOnlyItsPath() throws Exception {
        DkimVerifier.requireInstalled();
        DkimVerifier.Key key = key("rsa-pkcs8");
        Path jobFile = job(key.pem(), true).write();
        Cli.Result first = mailroom("run", jobFile.toString(), "--limit", "1");
        assertEquals(75, first.exit(), first.all());
        Files.delete(jobFile);
        Cli.Result resumed = mailroom("resume", "test-job");
        assertEquals(0, resumed.exit(), resumed.all());
        List<byte[]> got = received();
        assertEquals(2, got.size());
        for (byte[] m : got) assertEquals("pass", verify(m, key));

        String pem = Files.readString(key.pem());
        String keyMaterial = pem.lines().filter(l -> !l.startsWith("-----")).skip(3).findFirst().orElseThrow();
        try (Connection c = DriverManager.getConnection(db); ResultSet rs = c.createStatement().executeQuery("select settings from jobs")) {
            assertTrue(rs.next());
            String settings = rs.getString(1);
            assertTrue(settings.contains("dkim.key.file=" + key.pem().toString().replace(":", "\\:")), settings);
            assertFalse(settings.contains(keyMaterial), settings);
        }
        byte[] dbFile = Files.readAllBytes(dir.resolve("db.mv.db"));
        assertFalse(new String(dbFile, StandardCharsets.ISO_8859_1).contains(keyMaterial), "the key is nowhere in the database");
    }

    @Test
    void keysThatCannotSignAreRefusedBeforeAnythingIsSent() throws Exception {
        Path weak = DkimVerifier.rsa(dir.resolve("weak.pem"), 1024, false).pem();
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a key at all\n");
        Path pub = dir.resolve("public.pem");
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        Files.writeString(pub, DkimVerifier.pem("PUBLIC KEY", g.generateKeyPair().getPublic().getEncoded()));
        Path encrypted = Files.writeString(dir.resolve("encrypted.pem"), "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHzBJBgkqhkiG9w0BBQ0w\n-----END ENCRYPTED PRIVATE KEY-----\n");
        Path missing = dir.resolve("nowhere.pem");
        Path folder = Files.createDirectories(dir.resolve("keys.pem"));
        record Case(Path key, int exit, String says) { }
        for (Case c : List.of(new Case(weak, 78, "holds a 1024-bit RSA key; DKIM keys must have at least 2048 bits"),
                new Case(garbage, 78, "holds no PEM key"), new Case(pub, 78, "holds a public key, not the private key"),
                new Case(encrypted, 78, "is encrypted"), new Case(folder, 78, "is not a regular file"), new Case(missing, 78, "DKIM key file not found (dkim.key.file)"))) {
            Path jobFile = job(c.key(), false).write();
            for (String[] args : List.of(new String[] {"run", jobFile.toString()}, new String[] {"run", jobFile.toString(), "--dry-run"})) {
                Cli.Result r = mailroom(args);
                assertEquals(c.exit(), r.exit(), c + ": " + r.all());
                assertTrue(r.err().contains(c.key().toString()) && r.err().contains(c.says()), r.err());
                assertFalse(r.all().contains("MII"), "the key's contents are never printed: " + r.all());
            }
        }
        assertEquals(0, server.received().size(), "the server received nothing");
        Cli.Result status = mailroom("status");
        assertTrue(status.out().contains("no jobs yet") || !status.out().contains("test-job"), "nothing was stored: " + status.all());
    }

    @Test
    void aFromOutsideTheSigningDomainIsRefusedNamingBoth() throws Exception {
        Path jobFile = job(key("ed25519").pem(), false).set("dkim.domain", "example.org").write();
        Cli.Result r = mailroom("run", jobFile.toString());
        assertEquals(78, r.exit(), r.all());
        assertTrue(r.err().contains("team@example.com is not in dkim.domain=example.org nor a subdomain of it"), r.err());
        assertEquals(0, server.received().size());

        Cli.Result sub = mailroom("run", job(key("ed25519").pem(), false).set("dkim.domain", "Example.COM").write().toString(), "--dry-run");
        assertEquals(0, sub.exit(), "d= may be the From domain's parent, in any case: " + sub.all());
    }

    @Test
    void theKeyIsNeverSentEvenWhenARowNamesItAsAnAttachmentOrInlineImageInTheTemplatesFolder() throws Exception {
        JobDir job = job(dir.resolve("job/dkim.pem"), false);
        DkimVerifier.ed25519(dir.resolve("job/dkim.pem"));
        Path jobFile = job.file("message.ftl", "From: team@example.com\nTo: <${email}>\nSubject: s\n<#if file?has_content>Attachment: ${file}</#if>\n\n"
                + "body\n").file("message.html.ftl", "<p><img src=\"cid:${image}\"></p>\n").set("template.html", "message.html.ftl")
                .csv("email,file,image\nann@example.com,./dkim.pem,notes.txt\nbob@example.com,,dkim.pem\ncy@example.com,notes.txt,notes.txt\n").write();

        Cli.Result run = mailroom("run", jobFile.toString());

        assertEquals(1, run.exit(), run.all());
        String report = mailroom("report", "test-job").out();
        assertTrue(report.contains("Attachment: \"dkim.pem\" is a secret of the job (its DKIM key or a password file) and is never sent"), report);
        assertTrue(report.contains("Inline image (cid:): \"dkim.pem\" is a secret of the job"), report);
        assertEquals(1, server.received().size(), "only the row that names no secret is sent");
    }

    @Test
    void theLauncherGivesAJobFileThatSignsBothCompilersAndAJvmWithC1AloneSaysRsaSigningIsSlowThere() throws Exception {
        Path jobFile = job(key("rsa-pkcs8").pem(), false).write();
        Path plain = new JobDir(dir.resolve("plain")).numberedRecipients(1).smtp("127.0.0.1", 25, "none").write();
        // the launcher with a java that prints the arguments it was given
        Path fakeJava = Files.writeString(dir.resolve("java"), "#!/bin/sh\necho \"$@\"\n");
        fakeJava.toFile().setExecutable(true);
        java.util.function.Function<String[], String> launcher = args -> {
            try {
                List<String> command = new ArrayList<>(List.of("/bin/sh", Path.of("src/main/sh/mailroom").toAbsolutePath().toString()));
                command.addAll(List.of(args));
                ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
                pb.environment().put("JAVA", fakeJava.toString());
                pb.environment().remove("MAILROOM_JAVA_OPTS");
                Process p = pb.start();
                String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                p.waitFor();
                return out;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        assertFalse(launcher.apply(new String[] {"run", "--db", db, jobFile.toString()}).contains("TieredStopAtLevel"), "a signing job: C1 and C2");
        assertTrue(launcher.apply(new String[] {"run", plain.toString()}).contains("-XX:TieredStopAtLevel=1"), "any other: C1 alone");
        assertTrue(launcher.apply(new String[] {"resume", "test-job"}).contains("-XX:TieredStopAtLevel=1"), "resume cannot see the job file");

        // a run in a JVM with C1 alone (as the launcher starts a resume) says so
        Path log = dir.resolve("child.log");
        Process child = io.mailroom.testing.Child.start(log, ENV, "run", jobFile.toString(), "--db", db);
        assertTrue(child.waitFor(120, java.util.concurrent.TimeUnit.SECONDS));
        String said = io.mailroom.testing.Child.output(log);
        assertEquals(0, child.exitValue(), said);
        assertTrue(said.contains("test-job: note: this JVM runs without its optimizing compiler (-XX:TieredStopAtLevel=1), which makes each RSA"
                + " signature about 8 times as slow; for a large signed job set MAILROOM_JAVA_OPTS=-XX:+UseSerialGC"), said);
        assertFalse(mailroom("resume", "test-job").all().contains("optimizing compiler"), "this test's JVM has both compilers: no note");
    }
}
