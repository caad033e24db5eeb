package io.mailroom.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** How a database is named in messages: an H2 URL by its file, any other URL as given, its password masked. */
class DatabaseFileTest {
    @Test
    void anH2FileUrlIsNamedByItsAbsoluteFileWithoutSettings() {
        assertEquals(Path.of("/var/mailroom/jobs.mv.db"), DatabaseFile.path("jdbc:h2:/var/mailroom/jobs;AUTO_SERVER=TRUE;PASSWORD=s3cret"));
        assertEquals(Path.of("/var/mailroom/jobs.mv.db"), DatabaseFile.path("jdbc:h2:file:/var/mailroom/jobs"));
        assertEquals(Path.of(".mailroom/mailroom.mv.db").toAbsolutePath(), DatabaseFile.path("jdbc:h2:./.mailroom/mailroom"));
        assertEquals(Path.of(System.getProperty("user.home"), "jobs.mv.db"), DatabaseFile.path("jdbc:h2:~/jobs"));
        assertEquals("/var/mailroom/jobs.mv.db", DatabaseFile.name("jdbc:h2:/var/mailroom/jobs;PASSWORD=s3cret"));
    }

    @Test
    void aDatabaseThatIsNoLocalFileIsNamedByItsUrlWithThePasswordMasked() {
        assertNull(DatabaseFile.path("jdbc:h2:mem:jobs"));
        assertNull(DatabaseFile.path("jdbc:h2:tcp://db.example.com/~/jobs"));
        assertNull(DatabaseFile.path("jdbc:postgresql://db.example.com/jobs"));
        assertEquals("jdbc:h2:tcp://db.example.com/~/jobs;PASSWORD=****", DatabaseFile.name("jdbc:h2:tcp://db.example.com/~/jobs;PASSWORD=s3cret"));
        assertEquals("jdbc:postgresql://db.example.com/jobs?user=m&password=****",
                DatabaseFile.name("jdbc:postgresql://db.example.com/jobs?user=m&password=s3cret"));
    }
}
