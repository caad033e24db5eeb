package io.mailroom.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The real program in a child JVM (the test classpath), for tests that kill it or run two at once. */
public final class Child {
    private Child() { }

    public static Process start(Path log, Map<String, String> env, String... args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        // the launcher's JVM settings (src/main/sh/mailroom): the way users run it, and a faster start for tests that start many
        List<String> command = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", classpath, "io.mailroom.cli.Main"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        return pb.start();
    }

    /** The program started in {@code workingDir} under the file-creation mask {@code umask}, as a user's shell would. */
    public static Process startUnderUmask(String umask, Path workingDir, Path log, String... args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of("sh", "-c", "umask " + umask + " && exec \"$@\"", "sh", java, "-cp", classpath,
                "io.mailroom.cli.Main"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(workingDir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().remove("MAILROOM_DB");
        return pb.start();
    }

    /**
     * The program with a pseudo-terminal for its standard streams (util-linux script), as in an interactive shell;
     * everything the terminal shows, control sequences included, goes to {@code log}.
     */
    public static Process startOnTerminal(Path log, Map<String, String> env, String... args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", classpath, "io.mailroom.cli.Main"));
        command.addAll(List.of(args));
        StringBuilder line = new StringBuilder();
        for (String word : command) line.append(line.length() == 0 ? "" : " ").append('\'').append(word.replace("'", "'\\''")).append('\'');
        ProcessBuilder pb = new ProcessBuilder("script", "-qfec", line.toString(), "/dev/null").redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        pb.environment().put("TERM", "xterm");
        return pb.start();
    }

    public static String output(Path log) throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }
}
