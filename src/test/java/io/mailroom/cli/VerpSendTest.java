package io.mailroom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.testing.JobDir;
import io.mailroom.testing.ScriptedSmtpServer;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** envelope.verp=true: every attempt goes out with its own return path, naming no address. */
class VerpSendTest {
    @TempDir
    Path dir;

    @Test
    void eachMessageGoesWithAReturnPathOfItsOwnThatCarriesNoRecipientData() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer()) {
            Path job = new JobDir(dir.resolve("job")).numberedRecipients(3).smtp("127.0.0.1", server.port(), "none")
                    .set("envelope.verp", "true").write();
            Cli.Result run = Cli.run(Map.of(), Cli.withDb("jdbc:h2:" + dir.resolve("db").toAbsolutePath(), "run", job.toString()));

            assertEquals(0, run.exit(), run.all());
            Set<String> froms = server.received().stream().map(ScriptedSmtpServer.Received::from).collect(Collectors.toSet());
            assertEquals(3, froms.size(), "one return path per message: " + froms);
            for (String from : froms) {
                assertTrue(from.matches("team\\+r[0-9a-z]+a1-[a-z2-7]{8}@example\\.com"), from);
                assertTrue(!from.contains("user"), "no recipient data in it: " + from);
            }
        }
    }
}
