package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.testing.JobDir;
import io.mailroom.testing.ScriptedSmtpServer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The providers' ways of saying "this account takes no password over SMTP" get words that say what to configure
 * instead (an OAuth 2 token from smtp.password.command, or an app password), and mailroom never offers a
 * password to a mechanism meant for tokens.
 */
class PasswordLoginTurnedOffTest {
    private static final String PASSWORD = "pa55-Never-Shown-3e1";

    @TempDir
    Path dir;

    private Cli.Result run(ScriptedSmtpServer server) throws Exception {
        Path job = new JobDir(dir.resolve("job")).numberedRecipients(1).smtp("localhost", server.port(), "none").set("smtp.allow-plaintext-auth", "true")
                .set("smtp.username", "team@example.com").set("smtp.password.env", "MAILROOM_SMTP_PASSWORD").write();
        return Cli.run(Map.of("MAILROOM_SMTP_PASSWORD", PASSWORD), Cli.withDb("jdbc:h2:" + dir.resolve("db").toAbsolutePath(), "run", job.toString()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "535 5.7.139 Authentication unsuccessful, basic authentication is disabled. [AM0PR01CA0001.eurprd01.prod.exchangelabs.com]"
                + "|the server has password (basic) authentication turned off for this account: set smtp.auth=xoauth2 (or oauthbearer) and"
                + " smtp.password.command to a command that prints a fresh OAuth 2 access token",
        "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled"
                + "|the server has password (basic) authentication turned off for this account: set smtp.auth=xoauth2 (or oauthbearer)",
        "534-5.7.9 Application-specific password required. For more information, go to\\r\\n534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor"
                + "|the account takes no normal password over SMTP: put an app password where smtp.password.env or smtp.password.file points"
                + " (Google: myaccount.google.com/apppasswords), or set smtp.auth=xoauth2 (or oauthbearer) and smtp.password.command",
        "535-5.7.8 Username and Password not accepted. For more information, go to\\r\\n535 5.7.8  https://support.google.com/mail/?p=BadCredentials"
                + "|the username or password is wrong, or the account takes no normal password over SMTP: check smtp.username and the password,"
                + " use an app password (Google: myaccount.google.com/apppasswords), or set smtp.auth=xoauth2 (or oauthbearer) and smtp.password.command"})
    void aProvidersPasswordsAreOffReplySaysWhatToConfigureAndExits77(String reply, String expected) throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().authMechanisms("PLAIN LOGIN XOAUTH2").authReplies(reply.replace("\\r\\n", "\r\n"))) {
            Cli.Result r = run(server);

            assertEquals(77, r.exit(), r.all());
            assertTrue(r.err().contains("mailroom: localhost:" + server.port() + " rejected the credentials of team@example.com: " + expected), r.err());
            assertTrue(r.err().contains("(server said: " + reply.substring(0, 3) + " " + reply.substring(4, 9)), "the reply follows: " + r.err());
            assertFalse(r.all().contains(PASSWORD), r.all());
        }
    }

    @Test
    void anOrdinaryRefusalKeepsItsPlainWords() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().authReplies("535 5.7.8 Error: authentication failed: authentication failure")) {
            Cli.Result r = run(server);

            assertEquals(77, r.exit(), r.all());
            assertTrue(r.err().contains("rejected the credentials of team@example.com (server said: 535 5.7.8"), r.err());
            assertFalse(r.err().contains("smtp.password.command"), r.err());
        }
    }

    @Test
    void autoNeverSendsThePasswordToAnOAuthMechanismAndSaysHowToUseOne() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer().authMechanisms("XOAUTH2 OAUTHBEARER")) {
            Cli.Result r = run(server);

            assertEquals(69, r.exit(), r.all());
            assertTrue(r.err().contains("does not offer AUTH PLAIN or LOGIN; it offers XOAUTH2 OAUTHBEARER: set smtp.auth=xoauth2 (or oauthbearer)"
                    + " and smtp.password.command to a command that prints a fresh OAuth 2 access token"), r.err());
            assertFalse(server.clientLines().stream().anyMatch(l -> l.startsWith("AUTH")), server.clientLines().toString());
        }
    }
}
