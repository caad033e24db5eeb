package io.mailroom.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The JSON an XOAUTH2 334 challenge carries is read whatever way the server writes it. */
class OAuthChallengeTest {
    private static String said(String json) {
        return SessionFailures.oauthError(SmtpReply.of(334, null, Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void escapedSlashesAndANumericStatusReadTheSameAsGooglesForm() {
        String google = said("{\"status\":\"401\",\"schemes\":\"Bearer\",\"scope\":\"https://mail.google.com/\"}");
        assertTrue(google.startsWith("token rejected: status 401, scope https://mail.google.com/;"), google);
        assertEquals(google, said("{ \"status\" : 401, \"schemes\": \"bearer\", \"scope\": \"https:\\/\\/mail.google.com\\/\" }"));
    }

    @Test
    void aChallengeThatIsNotBase64OrCarriesNoStatusSaysSoWithoutEchoingIt() {
        assertEquals("token rejected (the server's explanation is not base64)", SessionFailures.oauthError(SmtpReply.of(334, null, "not*base64!")));
        assertEquals("token rejected (the server gave no status)", said("{\"error\":\"something\"}"));
        assertEquals("token rejected: status 400", said("{\"status\":\"400\"}"));
    }
}
