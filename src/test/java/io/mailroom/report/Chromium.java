package io.mailroom.report;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * A headless Chromium (Debian's {@code chromium}) driven over the Chrome DevTools Protocol, JDK only: started with
 * {@code --remote-debugging-port=0}, its browser endpoint read from the "DevTools listening on ws://…" line it
 * writes to standard error, commands sent and answers read as JSON over java.net.http's WebSocket. Every event
 * it sends is kept, in order, for the test to read ({@link #events}).
 *
 * <p>Lifecycle: {@link #start} (a private profile in the given folder; {@code --no-sandbox} only as root, where
 * Chromium's sandbox refuses to run) → {@link #call}… → {@link #close}, which asks the browser to close, then
 * ends the process and every process it started. Where Chromium can't run (not installed, or no endpoint within
 * 20 s), the test is skipped with the reason, except under CI (CI=true), where that is a failure.
 */
final class Chromium implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");
    private static final Duration ANSWER = Duration.ofSeconds(10);

    private final Process process;
    private final WebSocket socket;
    private final Map<Long, CompletableFuture<Map<String, Object>>> waiting = new ConcurrentHashMap<>();
    private final List<Map<String, Object>> events = new ArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();

    private Chromium(Process process, URI endpoint) throws Exception {
        this.process = process;
        this.socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(endpoint, new Listener()).get(ANSWER.toSeconds(), TimeUnit.SECONDS);
    }

    static Chromium start(Path profile, int width, int height) throws Exception {
        Path binary = onPath("chromium");
        if (binary == null) unavailable("chromium is not installed (apt-get install chromium)");
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--headless", "--remote-debugging-port=0", "--user-data-dir=" + profile,
                "--no-first-run", "--no-default-browser-check", "--disable-gpu", "--disable-dev-shm-usage", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps", "--mute-audio",
                "--hide-scrollbars", "--force-device-scale-factor=1", "--window-size=" + width + "," + height));
        if ("root".equals(System.getProperty("user.name"))) command.add("--no-sandbox");
        command.add("about:blank");
        Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        CompletableFuture<String> endpoint = new CompletableFuture<>();
        Deque<String> said = new ArrayDeque<>();
        Thread reader = new Thread(() -> readErrors(p, endpoint, said), "chromium stderr");
        reader.setDaemon(true);
        reader.start();
        try {
            return new Chromium(p, URI.create(endpoint.get(20, TimeUnit.SECONDS)));
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            end(p);
            synchronized (said) {
                unavailable("chromium gave no DevTools endpoint (" + (p.isAlive() ? "still running" : "exit " + p.exitValue()) + "): " + String.join(" | ", said));
            }
            throw e;
        }
    }

    /** Drains the process's standard error (so it never blocks), completing {@code endpoint} from its line; keeps the last lines. */
    private static void readErrors(Process p, CompletableFuture<String> endpoint, Deque<String> said) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                Matcher m = LISTENING.matcher(line);
                if (m.find()) endpoint.complete(m.group(1));
                synchronized (said) {
                    said.addLast(line);
                    if (said.size() > 8) said.removeFirst();
                }
            }
        } catch (IOException e) {
            // the process ended: nothing more to read
        }
        endpoint.completeExceptionally(new IOException("chromium closed its standard error"));
    }

    private static Path onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(candidate)) return candidate;
        }
        return null;
    }

    private static void unavailable(String why) {
        if ("true".equals(System.getenv("CI"))) throw new IllegalStateException("CI must run the Chromium test: " + why);
        Assumptions.abort("Chromium test skipped: " + why);
    }

    /** Sends {@code method} with {@code params} (to the page of {@code session}, or the browser when null) and returns its result. */
    Map<String, Object> call(String session, String method, Map<String, Object> params) throws Exception {
        long id = ids.incrementAndGet();
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("id", id);
        if (session != null) message.put("sessionId", session);
        message.put("method", method);
        message.put("params", params);
        CompletableFuture<Map<String, Object>> answer = new CompletableFuture<>();
        waiting.put(id, answer);
        synchronized (socket) {
            socket.sendText(json(message), true).get(ANSWER.toSeconds(), TimeUnit.SECONDS);
        }
        Map<String, Object> reply = answer.get(ANSWER.toSeconds(), TimeUnit.SECONDS);
        if (reply.containsKey("error")) throw new IllegalStateException(method + " failed: " + reply.get("error"));
        return cast(reply.get("result"));
    }

    /** Every event so far, in the order they came. */
    List<Map<String, Object>> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    /** Waits for an event named {@code method}, whenever it came; throws when none comes within 10 s. */
    Map<String, Object> await(String method) throws InterruptedException {
        long end = System.nanoTime() + ANSWER.toNanos();
        synchronized (events) {
            while (true) {
                for (Map<String, Object> e : events) if (method.equals(e.get("method"))) return e;
                long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
                if (left <= 0) throw new IllegalStateException("no " + method + " within " + ANSWER + "; events: " + events);
                events.wait(left);
            }
        }
    }

    @Override
    public void close() {
        try {
            call(null, "Browser.close", Map.of());
        } catch (Exception e) {
            // it may be gone already; it is ended below either way
        } finally {
            socket.abort();
            end(process);
        }
    }

    /** Ends the browser and the processes it started (renderer, GPU, zygote), waiting for them. */
    private static void end(Process p) {
        List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
        all.add(p.toHandle());
        for (ProcessHandle h : all) h.destroy();
        for (ProcessHandle h : all) {
            try {
                h.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                Map<String, Object> message = cast(Json.parse(text.toString()));
                text.setLength(0);
                if (message.get("id") instanceof Long id) {
                    CompletableFuture<Map<String, Object>> answer = waiting.remove(id);
                    if (answer != null) answer.complete(message);
                } else {
                    synchronized (events) {
                        events.add(message);
                        events.notifyAll();
                    }
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
            hangUp(new IOException("DevTools closed the connection: " + code + " " + reason));
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            hangUp(error);
        }

        /** No answer will come to a command still waiting for one. */
        private void hangUp(Throwable why) {
            waiting.values().forEach(f -> f.completeExceptionally(why));
            waiting.clear();
        }
    }

    /** A value as JSON: maps, lists, strings, numbers, booleans and null. */
    static String json(Object value) {
        if (value instanceof String s) return JsonReport.str(s);
        if (value instanceof Map<?, ?> map) {
            StringBuilder sb = new StringBuilder("{");
            map.forEach((k, v) -> sb.append(sb.length() == 1 ? "" : ",").append(JsonReport.str((String) k)).append(':').append(json(v)));
            return sb.append('}').toString();
        }
        if (value instanceof List<?> list) {
            StringBuilder sb = new StringBuilder("[");
            for (Object v : list) sb.append(sb.length() == 1 ? "" : ",").append(json(v));
            return sb.append(']').toString();
        }
        return String.valueOf(value);
    }

    @SuppressWarnings("unchecked")
    static <T> T cast(Object o) {
        return (T) o;
    }
}
