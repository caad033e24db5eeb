package io.mailroom.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.store.Address;
import io.mailroom.store.Recipient;
import io.mailroom.store.RecipientStatus;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML report as a reader sees it: opened from a file in a real headless Chromium ({@link Chromium}), it logs
 * no error (a style or script its policy refused would log one), requests nothing but itself, shows its charts and
 * table, filters and sorts the table, and draws a page that is not blank.
 */
class HtmlReportInChromiumTest {
    private static final int WIDTH = 1280, HEIGHT = 1000;

    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void theReportOpensInChromiumWithoutErrorsOrRequestsAndItsChartsTableFilterAndSortWork() throws Exception {
        Path file = dir.resolve("report.html");
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8))) {
            ReportFormat.HTML.write(report(), out);
        }
        String url = file.toUri().toString();
        try (Chromium chromium = Chromium.start(Files.createDirectory(dir.resolve("profile")), WIDTH, HEIGHT)) {
            String target = (String) chromium.call(null, "Target.createTarget", Map.of("url", "about:blank")).get("targetId");
            String page = (String) chromium.call(null, "Target.attachToTarget", Map.of("targetId", target, "flatten", true)).get("sessionId");
            for (String domain : List.of("Runtime", "Log", "Network", "Page")) chromium.call(page, domain + ".enable", Map.of());
            chromium.call(page, "Page.navigate", Map.of("url", url));
            chromium.await("Page.loadEventFired");

            assertEquals(4L, eval(chromium, page, "document.querySelectorAll('figure svg').length"), "the four charts");
            assertEquals(50L, eval(chromium, page, "document.querySelectorAll('#recipients > tbody').length"), "every row");
            assertEquals(false, eval(chromium, page, "document.getElementById('controls').hidden"), "the script ran and showed the filter");
            assertEquals("7:failed 6:unknown 2:partial 4:skipped 3:deferred 5:sent", eval(chromium, page, shown(6)), "problems first");

            assertEquals("7:failed", eval(chromium, page, choose("status-filter", "failed") + shown(99)), "filtered to failed");
            assertEquals("1 of 50 rows shown", eval(chromium, page, "document.getElementById('shown').textContent"));
            assertEquals("2:partial 3:deferred 4:skipped 6:unknown 7:failed", eval(chromium, page, choose("status-filter", "problems") + sortBy(0) + shown(99)),
                    "all but sent, sorted by row");
            assertEquals("3:deferred", eval(chromium, page, choose("status-filter", "") + type("AUDIT@example") + shown(99)),
                    "free text finds an address under its row, whatever its case");
            assertEquals("51:sent 50:sent 49:sent", eval(chromium, page, type("") + sortBy(0) + shown(3)), "a second click sorts the other way");

            BufferedImage shot = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(
                    (String) chromium.call(page, "Page.captureScreenshot", Map.of("format", "png")).get("data"))));
            assertPainted(shot);
            assertNothingWentWrong(chromium.events(), url);
        }
    }

    @Test
    @Timeout(60)
    void theTableFitsA1200PixelWindowHoweverLongItsValues() throws Exception {
        String local = "a".repeat(60) + "." + "b".repeat(60);
        String to = local + "@" + "c".repeat(60) + ".example";
        io.mailroom.store.StoredReply refused = new io.mailroom.store.StoredReply(550, "5.1.1", "<" + to + ">: Recipient address rejected: "
                + "x".repeat(200) + " " + "User unknown in virtual mailbox table ".repeat(6));
        List<Recipient> rows = List.of(new Recipient(2, 2, "k".repeat(150), List.of(), List.of(to, to), "<" + "m".repeat(120) + "@example.com>",
                RecipientStatus.PARTIAL, null, 1, null, SampleReport.T1, refused, List.of(
                        new Address(1, "to", to, RecipientStatus.FAILED, 1, SampleReport.T1, SampleReport.T2, null, refused, null),
                        new Address(2, "cc", to, RecipientStatus.SENT, 1, SampleReport.T1, SampleReport.T2, null, SampleReport.OK, null))));
        Map<RecipientStatus, Integer> counts = new EnumMap<>(RecipientStatus.class);
        for (RecipientStatus s : RecipientStatus.values()) counts.put(s, 0);
        counts.put(RecipientStatus.PARTIAL, 1);
        Path file = dir.resolve("long.html");
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8))) {
            ReportFormat.HTML.write(new Report("welcome", counts, rows, true, List.of(), SampleReport.RETRY), out);
        }
        try (Chromium chromium = Chromium.start(Files.createDirectory(dir.resolve("profile")), 1200, 800)) {
            String target = (String) chromium.call(null, "Target.createTarget", Map.of("url", "about:blank")).get("targetId");
            String page = (String) chromium.call(null, "Target.attachToTarget", Map.of("targetId", target, "flatten", true)).get("sessionId");
            chromium.call(page, "Page.enable", Map.of());
            chromium.call(page, "Page.navigate", Map.of("url", file.toUri().toString()));
            chromium.await("Page.loadEventFired");
            assertEquals(1200L, ((Number) eval(chromium, page, "window.innerWidth")).longValue());
            assertTrue(((Number) eval(chromium, page, "document.getElementById('recipients').getBoundingClientRect().right")).doubleValue() <= 1200,
                    "the table ends inside the window");
            assertTrue(((Number) eval(chromium, page, "document.documentElement.scrollWidth")).longValue() <= 1200, "no sideways scrolling");
        }
    }

    /** The first {@code n} rows shown, as "row:status" in their order on the page. */
    private static String shown(int n) {
        return "[...document.querySelectorAll('#recipients > tbody')].filter(t => t.getClientRects().length > 0).slice(0, " + n + ")"
                + ".map(t => t.rows[0].cells[0].textContent + ':' + t.dataset.status).join(' ')";
    }

    private static String choose(String select, String value) {
        return "(s => { s.value = '" + value + "'; s.dispatchEvent(new Event('change')); })(document.getElementById('" + select + "'));";
    }

    private static String type(String text) {
        return "(t => { t.value = '" + text + "'; t.dispatchEvent(new Event('input')); })(document.getElementById('text-filter'));";
    }

    private static String sortBy(int column) {
        return "document.querySelectorAll('#recipients > thead th')[" + column + "].click();";
    }

    private static Object eval(Chromium chromium, String page, String expression) throws Exception {
        Map<String, Object> result = chromium.call(page, "Runtime.evaluate", Map.of("expression", expression, "returnByValue", true));
        assertTrue(!result.containsKey("exceptionDetails"), expression + ": " + result.get("exceptionDetails"));
        Map<String, Object> value = Chromium.cast(result.get("result"));
        return value.get("value");
    }

    /** Many colours (charts, coloured counts) and much that is not white; the status colours among them. */
    private static void assertPainted(BufferedImage shot) {
        assertEquals(WIDTH, shot.getWidth());
        Set<Integer> colours = new HashSet<>();
        long ink = 0;
        boolean red = false, green = false;
        for (int y = 0; y < shot.getHeight(); y++) {
            for (int x = 0; x < shot.getWidth(); x++) {
                int rgb = shot.getRGB(x, y) & 0xffffff;
                colours.add(rgb);
                if (rgb != 0xffffff) ink++;
                red |= near(rgb, 0xc62828);
                green |= near(rgb, 0x2e7d32);
            }
        }
        assertTrue(colours.size() > 100, "distinct colours: " + colours.size());
        assertTrue(ink > (long) shot.getWidth() * shot.getHeight() / 50, "pixels not white: " + ink);
        assertTrue(red && green, "the failed and sent colours are drawn (the style was applied)");
    }

    private static boolean near(int rgb, int want) {
        for (int shift = 0; shift <= 16; shift += 8) {
            if (Math.abs(((rgb >> shift) & 0xff) - ((want >> shift) & 0xff)) > 6) return false;
        }
        return true;
    }

    /** No error logged, no exception thrown, and no request but the page's own. */
    private static void assertNothingWentWrong(List<Map<String, Object>> events, String url) {
        List<String> wrong = new ArrayList<>();
        for (Map<String, Object> e : events) {
            Map<String, Object> params = Chromium.cast(e.get("params"));
            switch (String.valueOf(e.get("method"))) {
                case "Runtime.exceptionThrown" -> wrong.add("exception: " + params);
                case "Runtime.consoleAPICalled" -> {
                    if ("error".equals(params.get("type")) || "assert".equals(params.get("type"))) wrong.add("console: " + params);
                }
                case "Log.entryAdded" -> {
                    Map<String, Object> entry = Chromium.cast(params.get("entry"));
                    if ("error".equals(entry.get("level"))) wrong.add("log: " + entry);
                }
                case "Network.requestWillBeSent" -> {
                    Map<String, Object> request = Chromium.cast(params.get("request"));
                    if (!url.equals(request.get("url"))) wrong.add("request: " + request.get("url"));
                }
                default -> { }
            }
        }
        assertEquals(List.of(), wrong);
        assertTrue(events.stream().anyMatch(e -> "Network.requestWillBeSent".equals(e.get("method"))), "the page's own request was seen: " + events);
    }

    /** The sample's rows, a failed row 7, and rows 8 to 51 sent to four domains over an hour. */
    private static Report report() {
        Report sample = SampleReport.report();
        List<Recipient> rows = new ArrayList<>(sample.messages());
        rows.add(row(7, "zed@other.example", RecipientStatus.FAILED, SampleReport.NO_SUCH_USER, SampleReport.T1));
        for (int row = 8; row <= 51; row++) {
            rows.add(row(row, "user" + row + "@d" + row % 4 + ".example", RecipientStatus.SENT, SampleReport.OK,
                    SampleReport.T1.plus(Duration.ofSeconds(row * 80L))));
        }
        Map<RecipientStatus, Integer> counts = new EnumMap<>(RecipientStatus.class);
        for (RecipientStatus s : RecipientStatus.values()) counts.put(s, 0);
        for (Recipient m : rows) counts.merge(m.status(), 1, Integer::sum);
        return new Report("welcome", counts, rows, true, List.of(), SampleReport.RETRY);
    }

    private static Recipient row(int row, String to, RecipientStatus status, io.mailroom.store.StoredReply reply, java.time.Instant at) {
        return new Recipient(row, row, to, List.of(), List.of(to), "<" + row + ".mailroom@example.com>", status, null, 1, null, at, reply,
                List.of(new Address(1, "to", to, status, 1, at, at, null, reply, null)));
    }
}
