package io.mailroom.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Consumer;
import org.h2.tools.Server;

/**
 * An H2 file is open in one process at a time. So that {@code status} and {@code report} work while a run holds
 * it, the holder serves it to them: H2's TCP server on a loopback port, reachable only with a random key, both
 * written into a private file beside the database ({@code x.mv.db.readers}). The run writes through its own
 * embedded connection as before (its commits, crash safety and job lock are untouched); only readers use TCP.
 * The server starts only when a reader asks for it ({@link #ask}: a file {@code x.mv.db.readers.wanted} the run
 * looks for four times a second), so a run nobody asks about never pays for it.
 */
final class Readers implements AutoCloseable {
    private static final long LOOK_MILLIS = 250;

    private final Path file;
    private final Path wanted;
    private final Path database;
    private final Consumer<String> notes;
    private final Thread starter;
    private Server server;
    private boolean closed;

    private Readers(Path database, Consumer<String> notes) {
        this.database = database;
        this.file = fileOf(database);
        this.wanted = wantedOf(database);
        this.notes = notes;
        this.starter = new Thread(this::startWhenAsked, "mailroom-readers");
        starter.setDaemon(true);
    }

    /** Serves the open H2 file database whose base path (what H2 adds .mv.db to) is {@code database} to readers that ask. */
    static Readers serve(Path database, Consumer<String> notes) {
        Readers r = new Readers(database, notes);
        r.starter.start();
        return r;
    }

    /** The URL a reader reaches the database at {@code database} through, when a process serves it. */
    static Optional<String> url(Path database) {
        try {
            String[] portAndKey = Files.readString(fileOf(database), StandardCharsets.US_ASCII).trim().split(" ");
            if (portAndKey.length != 2 || !portAndKey[0].matches("\\d{1,5}") || !portAndKey[1].matches("[0-9a-f]{32}")) return Optional.empty();
            return Optional.of("jdbc:h2:tcp://127.0.0.1:" + portAndKey[0] + "/" + portAndKey[1]);
        } catch (IOException e) {
            return Optional.empty(); // not served (yet), or by a process that is gone
        }
    }

    /** A reader asks the process holding the database at {@code database} to serve it. */
    static void ask(Path database) {
        try {
            PrivateFiles.write(wantedOf(database), new byte[0], note -> { });
        } catch (IOException e) {
            // a folder the reader cannot write: it waits as for a holder that does not serve
        }
    }

    /**
     * A reader that opened the database itself says so while it holds it: a run that finds the file held waits for
     * it as long as it takes (a report on a large job), instead of giving up after a while. Returns the marker to delete.
     */
    static Path reading(Path database) {
        Path marker = readingOf(database);
        try {
            PrivateFiles.write(marker, new byte[0], note -> { });
        } catch (IOException e) {
            // a run that comes meanwhile waits its usual while
        }
        return marker;
    }

    /** Whether a reader holds the database at {@code database} (see {@link #reading}). */
    static boolean beingRead(Path database) {
        return Files.exists(readingOf(database));
    }

    private static Path readingOf(Path database) {
        return database.resolveSibling(database.getFileName() + ".mv.db.reading");
    }

    private static Path fileOf(Path database) {
        return database.resolveSibling(database.getFileName() + ".mv.db.readers");
    }

    private static Path wantedOf(Path database) {
        return database.resolveSibling(database.getFileName() + ".mv.db.readers.wanted");
    }

    private void startWhenAsked() {
        try {
            while (!Files.exists(wanted)) Thread.sleep(LOOK_MILLIS);
            String key = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
            synchronized (this) {
                if (closed) return;
                // no -tcpAllowOthers: H2 turns away connections from other hosts; the key turns away anyone without the file
                server = Server.createTcpServer("-tcpPort", "0", "-tcpDaemon", "-key", key, database.toString()).start();
                PrivateFiles.write(file, (server.getPort() + " " + key).getBytes(StandardCharsets.US_ASCII), notes);
            }
            Files.deleteIfExists(wanted);
        } catch (InterruptedException e) {
            // closed before it served
        } catch (SQLException | IOException | RuntimeException e) {
            notes.accept("warning: status and report in other processes cannot reach " + database + ".mv.db while this run holds it: " + e.getMessage());
        }
    }

    /** Stops serving: readers still connected lose their connection (they only read). */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            if (server != null) server.stop();
        }
        starter.interrupt();
        try {
            Files.deleteIfExists(file);
            Files.deleteIfExists(wanted);
        } catch (IOException e) {
            // a file left behind names a port nobody serves: a reader finds nothing there and waits as for none
        }
    }
}
