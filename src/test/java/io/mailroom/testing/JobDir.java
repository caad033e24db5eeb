package io.mailroom.testing;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes a job (job file, CSV, templates, attachments) into a folder, for tests. */
public final class JobDir {
    public static final String TEMPLATE = """
            From: Team Example <team@example.com>
            To: ${first_name} <${email}>
            Subject: Hello ${first_name}

            Hello ${first_name}, your number is ${n}.
            """;

    private final Path dir;
    private final Map<String, String> keys = new LinkedHashMap<>();

    public JobDir(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
        keys.put("name", "test-job");
        keys.put("recipients", "recipients.csv");
        keys.put("template", "message.ftl");
        keys.put("recipients.key", "email");
        file("message.ftl", TEMPLATE);
    }

    public Path dir() { return dir; }

    public Path jobFile() { return dir.resolve("job.job"); }

    public JobDir set(String key, String value) {
        if (value == null) keys.remove(key);
        else keys.put(key, value);
        return this;
    }

    public JobDir smtp(String host, int port, String security) {
        return set("smtp.host", host).set("smtp.port", String.valueOf(port)).set("smtp.security", security);
    }

    /** A CSV of {@code n} recipients user1@example.com … with first_name User1 … and n 1 …, for {@link #TEMPLATE}. */
    public JobDir numberedRecipients(int n) throws IOException {
        StringBuilder csv = new StringBuilder("email,first_name,n\n");
        for (int i = 1; i <= n; i++) csv.append("user").append(i).append("@example.com,User").append(i).append(',').append(i).append('\n');
        return csv(csv.toString());
    }

    public JobDir csv(String content) throws IOException {
        return file("recipients.csv", content);
    }

    public JobDir file(String name, String content) throws IOException {
        return file(name, content, StandardCharsets.UTF_8);
    }

    public JobDir file(String name, String content, Charset charset) throws IOException {
        return bytes(name, content.getBytes(charset));
    }

    public JobDir bytes(String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.write(p, content);
        return this;
    }

    /** Writes the job file from the keys set so far and returns its path. */
    public Path write() throws IOException {
        StringBuilder sb = new StringBuilder();
        keys.forEach((k, v) -> sb.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
        Files.writeString(jobFile(), sb.toString());
        return jobFile();
    }
}
