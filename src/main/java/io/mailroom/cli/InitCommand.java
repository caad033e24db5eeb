package io.mailroom.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "init", mixinStandardHelpOptions = true, description = "Write a starter job (job file, template, CSV) into DIR; it runs as is with --sandbox.")
final class InitCommand implements Callable<Integer> {
    private static final List<String> FILES = List.of("starter.job", "message.ftl", "recipients.csv");

    private final Context ctx;

    @Parameters(paramLabel = "DIR")
    Path dir;

    InitCommand(Context ctx) {
        this.ctx = ctx;
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
                Files.copy(in, dir.resolve(f));
            }
        }
        ctx.out().println("wrote " + String.join(", ", FILES) + " to " + dir);
        ctx.out().println("try: mailroom run " + dir.resolve("starter.job") + " --sandbox " + dir.resolve("outbox"));
        return ExitCodes.OK;
    }
}
