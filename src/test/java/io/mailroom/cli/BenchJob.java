package io.mailroom.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.stream.LongStream;

/**
 * A benchmark job in a folder of its own: n rows (email, first_name, amount), a plain-text template that
 * uses all three, and a job file for 127.0.0.1:port without TLS; its database is {@code db} in the same
 * folder, so each run starts from an empty one. After a run, what the database says: that every row was
 * sent, its file size, and when each attempt started.
 */
record BenchJob(Path dir, int messages) {

    static BenchJob write(Path dir, int port, int messages, int connections) throws IOException {
        Files.createDirectories(dir);
        try (BufferedWriter csv = Files.newBufferedWriter(dir.resolve("r.csv"), StandardCharsets.UTF_8)) {
            csv.write("email,first_name,amount\n");
            for (int i = 0; i < messages; i++) csv.write("user" + i + "@example.com,Name" + i + "," + i * 3 + "\n");
        }
        Files.writeString(dir.resolve("m.ftl"), "From: Team <team@example.com>\nTo: ${first_name} <${email}>\nSubject: Hello ${first_name}\n\n"
                + "Dear ${first_name},\n\nyour balance is ${amount} EUR.\n\nRegards\n");
        Files.writeString(dir.resolve("b.job"), "name=bench\nrecipients=r.csv\ntemplate=m.ftl\nsmtp.host=127.0.0.1\nsmtp.port=" + port
                + "\nsmtp.security=none\nsmtp.connections=" + connections + "\n");
        return new BenchJob(dir, messages);
    }

    Path jobFile() { return dir.resolve("b.job"); }

    String db() { return "jdbc:h2:" + dir.resolve("db").toAbsolutePath(); }

    /** The H2 file's size; read before the benchmark opens the database itself. */
    long dbBytes() throws IOException {
        return Files.size(dir.resolve("db.mv.db"));
    }

    /** Throws unless every row of the job is sent: a benchmark of messages that did not go would flatter. */
    void expectAllSent() throws SQLException {
        int sent = sent();
        if (sent != messages) throw new IllegalStateException(dir + ": " + sent + " of " + messages + " rows sent");
    }

    int sent() throws SQLException {
        try (Connection c = open(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM recipients WHERE status = 'sent'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** When the run began (runs.started_at) and when each attempt started, in the order they were stored, in µs since the run began. */
    Timeline timeline() throws SQLException {
        try (Connection c = open(); Statement s = c.createStatement()) {
            OffsetDateTime begun;
            try (ResultSet rs = s.executeQuery("SELECT MIN(started_at) FROM runs")) {
                rs.next();
                begun = rs.getObject(1, OffsetDateTime.class);
            }
            LongStream.Builder micros = LongStream.builder();
            try (ResultSet rs = s.executeQuery("SELECT started_at FROM attempts ORDER BY id")) {
                while (rs.next()) micros.add(ChronoUnit.MICROS.between(begun, rs.getObject(1, OffsetDateTime.class)));
            }
            return new Timeline(micros.build().toArray());
        }
    }

    private Connection open() throws SQLException {
        return DriverManager.getConnection(db() + ";AUTO_COMPACT_FILL_RATE=0", "", "");
    }

    /** Attempt start times, µs after the run began. */
    record Timeline(long[] startedMicros) {
        double firstAttemptSeconds() { return startedMicros[0] / 1e6; }

        /** Messages per second over each tenth of the attempts (the first tenth: from its first attempt to the next tenth's first). */
        double[] tenths() {
            int n = startedMicros.length;
            double[] rates = new double[10];
            for (int i = 0; i < 10; i++) {
                int from = i * n / 10;
                int to = i == 9 ? n - 1 : (i + 1) * n / 10;
                rates[i] = (to - from) / ((startedMicros[to] - startedMicros[from]) / 1e6);
            }
            return rates;
        }
    }
}
