package io.mailroom.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Postfix's smtp-sink on a free loopback port, for the benchmark: accepts every message (PIPELINING
 * offered) and keeps none. Started as root it drops to nobody, which it insists on. Fails if it does not
 * listen within two seconds; closing it ends the process.
 */
record SmtpSink(Process process, int port) implements AutoCloseable {
    static final Path SINK = Path.of("/usr/sbin/smtp-sink");
    static final Path SOURCE = Path.of("/usr/sbin/smtp-source");

    static boolean installed() {
        return Files.isExecutable(SINK) && Files.isExecutable(SOURCE);
    }

    static SmtpSink start() throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> cmd = new ArrayList<>(List.of(SINK.toString()));
        if ("root".equals(System.getProperty("user.name"))) cmd.addAll(List.of("-u", "nobody"));
        cmd.addAll(List.of("127.0.0.1:" + port, "256"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        for (int i = 0; i < 100; i++) {
            try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return new SmtpSink(p, port);
            } catch (IOException notYet) {
                Thread.sleep(20);
            }
        }
        p.destroy();
        throw new IOException("smtp-sink did not start on port " + port);
    }

    /** smtp-source's command: {@code n} messages over {@code sessions} sessions at once, each kept for the next message (-d). */
    static List<String> source(int port, int n, int sessions) {
        return List.of(SOURCE.toString(), "-d", "-s", String.valueOf(sessions), "-m", String.valueOf(n), "-l", "300",
                "-f", "team@example.com", "-t", "user@example.com", "127.0.0.1:" + port);
    }

    @Override
    public void close() {
        process.destroy();
    }
}
