package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.testing.JobDir;
import io.mailroom.testing.PostfixServer;
import io.mailroom.testing.TokenIntrospection;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OAUTHBEARER (RFC 7628) and XOAUTH2 against a real server that checks the token: Postfix with Dovecot's SASL,
 * whose oauth2 passdb asks this test's introspection endpoint (RFC 7662), which knows one token. The token is
 * longer than an AUTH command line may be, as real access tokens are, so it goes after the server's 334.
 */
class OAuthBearerTest {
    private static final String USER = "team@example.com";
    private static final String TOKEN = "ya29.Good-Token-" + "x".repeat(1500);

    static TokenIntrospection introspection;
    static PostfixServer postfix;

    @TempDir
    Path dir;

    @BeforeAll
    static void servers() throws Exception {
        introspection = new TokenIntrospection(TOKEN, USER);
        postfix = PostfixServer.withOAuth(introspection.url());
    }

    @AfterAll
    static void stop() throws Exception {
        if (postfix != null) postfix.close();
        if (introspection != null) introspection.close();
    }

    private Path job(String mechanism, String token) throws Exception {
        return new JobDir(dir.resolve("job")).numberedRecipients(2).smtp("localhost", postfix.oauthPort(), "starttls")
                .set("smtp.trust", postfix.certificate().toString()).set("smtp.username", USER).set("smtp.auth", mechanism)
                .set("smtp.password.command", "cat token.txt").file("token.txt", token + "\n").write();
    }

    private Cli.Result mailroom(String... args) {
        return Cli.run(Cli.withDb("jdbc:h2:" + dir.resolve("db").toAbsolutePath(), args));
    }

    @Test
    void oauthbearerAuthenticatesWithTheCommandsTokenAndTheMessagesAreDelivered() throws Exception {
        int before = postfix.delivered().size();

        Cli.Result run = mailroom("run", job("oauthbearer", TOKEN).toString(), "--verbose");

        assertEquals(0, run.exit(), run.all() + postfix.log());
        assertTrue(run.err().contains("C: AUTH OAUTHBEARER\n"), "a token this long follows the 334: " + run.err());
        assertTrue(run.err().contains("S: 235 2.7.0 Authentication successful"), run.err());
        assertFalse(run.all().contains("Good-Token"), run.all());
        assertTrue(introspection.asked().contains(TOKEN), "the server checked the token the command printed");
        assertEquals(before + 2, postfix.awaitDelivered(before + 2).size(), postfix.log());
    }

    @Test
    void aRefusedOauthbearerTokenIsAnsweredWithASingleCtrlAAndTheServersJsonStatusIsNamedExit77() throws Exception {
        Cli.Result run = mailroom("run", job("oauthbearer", "stale-token-4711").toString(), "--verbose");

        assertEquals(77, run.exit(), run.all());
        assertTrue(run.err().contains("C: AUTH OAUTHBEARER ****"), run.err());
        assertTrue(run.err().contains("C: AQ=="), "RFC 7628 section 3.2.3: the error challenge is answered with ^A: " + run.err());
        assertTrue(run.err().contains("mailroom: localhost:" + postfix.oauthPort() + " rejected the OAuth 2 access token of " + USER
                + ": token rejected: status invalid_token; the token is invalid or has expired"), run.err());
        assertTrue(run.err().contains("(server said: 535 5.7.8"), run.err());
        assertFalse(run.all().contains("stale-token-4711"), run.all());
        assertTrue(introspection.asked().contains("stale-token-4711"));
    }

    @Test
    void xoauth2IsAcceptedByTheSameServer() throws Exception {
        Cli.Result run = mailroom("run", job("xoauth2", TOKEN).toString());

        assertEquals(0, run.exit(), run.all() + postfix.log());
    }
}
