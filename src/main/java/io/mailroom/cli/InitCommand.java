package io.mailroom.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "init", mixinStandardHelpOptions = true, description = "Write a starter job (job file, template, CSV) into DIR; it runs as is with --sandbox.")
final class InitCommand implements Callable<Integer> {
    private static final List<String> FILES = List.of("starter.job", "message.ftl", "recipients.csv");

    private final Context ctx;

    @Parameters(paramLabel = "DIR", description = "the folder to write the starter job into (made if missing)")
    Path dir;

    InitCommand(Context ctx) {
        this.ctx = ctx;
    }

    /**
     * The folder's name as a job name (letters, digits, '.', '_', '-'). A name that loses letters on the way (日本語,
     * "news 中文") ends in 6 hex digits of the folder's path, so two such folders are two jobs; "starter-" and those
     * digits when nothing of it is left.
     */
    private String jobName() {
        Path absolute = dir.toAbsolutePath().normalize();
        String folder = absolute.getFileName() == null ? "" : absolute.getFileName().toString();
        String name = folder.replaceAll("[^A-Za-z0-9._-]+", "-").replaceAll("^[^A-Za-z0-9]+", "").replaceAll("-+$", "");
        name = name.substring(0, Math.min(name.length(), 180));
        if (folder.matches("[A-Za-z0-9._ -]*") && !name.isEmpty()) return name;
        return (name.isEmpty() ? "starter" : name) + "-" + pathHash(absolute);
    }

    private static String pathHash(Path folder) {
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256").digest(folder.toString().getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(hash, 0, 3);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A path as a shell reads it back: single-quoted when it holds spaces or characters a shell would act on. */
    static String shellWord(Path p) {
        String s = p.toString();
        return s.matches("[^\\s!\"#$&'()*;<>?\\[\\]\\\\^`{|}~]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }

    @Override
    public Integer call() throws IOException {
        for (String f : FILES) {
            if (Files.exists(dir.resolve(f))) {
                throw new CommandLine.ParameterException(new CommandLine(this), dir.resolve(f) + " already exists; init never overwrites a file");
            }
        }
        Files.createDirectories(dir);
        for (String f : FILES) {
            try (InputStream in = InitCommand.class.getResourceAsStream("init/" + f)) {
                byte[] content = in.readAllBytes();
                // the job is named after its folder: two starter folders must not share one job
                if (f.equals("starter.job")) content = new String(content, StandardCharsets.UTF_8).replace("\nname=starter\n", "\nname=" + jobName() + "\n")
                        .getBytes(StandardCharsets.UTF_8);
                Files.write(dir.resolve(f), content, StandardOpenOption.CREATE_NEW);
            }
        }
        ctx.out().println("wrote " + String.join(", ", FILES) + " to " + dir);
        ctx.out().println("try: mailroom run " + shellWord(dir.resolve("starter.job")) + " --sandbox " + shellWord(dir.resolve("outbox")));
        return ExitCodes.OK;
    }
}
