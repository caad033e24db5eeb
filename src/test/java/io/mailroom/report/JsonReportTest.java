package io.mailroom.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JSON report is valid JSON in the contract's shape, with every envelope address of every entry. */
class JsonReportTest {
    private final String json = SampleReport.write(ReportFormat.JSON);
    private final Map<String, Object> report = cast(Json.parse(json));

    private Map<String, Object> message(int index) {
        List<Map<String, Object>> messages = cast(report.get("messages"));
        return messages.get(index);
    }

    private List<Map<String, Object>> addresses(int index) {
        return cast(message(index).get("addresses"));
    }

    private static Map<String, Object> reply(long code, String enhanced, String text) {
        return object("code", code, "enhanced", enhanced, "text", text);
    }

    /** An object with these names and values, in this order (null values allowed, unlike Map.of). */
    private static Map<String, Object> object(Object... namesAndValues) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) out.put((String) namesAndValues[i], namesAndValues[i + 1]);
        return out;
    }

    private static void assertSameObject(Map<String, Object> expected, Map<String, Object> actual) {
        assertEquals(expected, actual);
        assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(actual.keySet()), "names in the contract's order");
    }

    @Test
    void eachEntryKeepsTodaysFieldsAndAddsItsAddressesAndCountsIncludePartial() {
        assertEquals(List.of("job", "finished", "counts", "messages"), new ArrayList<>(report.keySet()));
        assertSameObject(object("pending", 0L, "deferred", 1L, "sent", 1L, "failed", 0L, "unknown", 1L, "skipped", 1L, "partial", 1L),
                cast(report.get("counts")));
        Map<String, Object> partial = message(0);
        assertEquals(List.of("row", "key", "to", "status", "attempts", "reply", "messageId", "addresses"), new ArrayList<>(partial.keySet()));
        assertEquals(List.of(2L, "ann@example.com", List.of("ann@example.com"), "partial", 1L), new ArrayList<>(partial.values()).subList(0, 5));
        assertEquals("<2.mailroom@example.com>", partial.get("messageId"));
    }

    @Test
    void eachAddressHasItsKindStatusAttemptsAndTheReplyThatDecidedIt() {
        assertEquals(2, addresses(0).size());
        assertSameObject(object("address", "ann@example.com", "kind", "to", "status", "failed", "attempts", 1L,
                "reply", reply(550, "5.1.1", "<ann@example.com>: Recipient address rejected:\nUser unknown")), addresses(0).get(0));
        assertSameObject(object("address", "=1+2@example.com", "kind", "cc", "status", "sent", "attempts", 1L,
                "reply", reply(250, "2.0.0", "Ok: queued as 4XyZ")), addresses(0).get(1));
        assertEquals("deferred", message(1).get("status"));
        assertSameObject(object("address", "audit@example.com", "kind", "bcc", "status", "deferred", "attempts", 1L,
                "reply", reply(451, "4.7.1", "\u001b[2Jgreylisted, try later")), addresses(1).get(1));
        assertSameObject(object("address", "eve@example.com", "kind", "to", "status", "unknown", "attempts", 1L, "reply", null),
                addresses(4).get(0));
        assertEquals(List.of("dan@example.com:sent", "dana@example.com:sent"),
                addresses(3).stream().map(a -> a.get("address") + ":" + a.get("status")).toList(), "a wholly sent row lists them too");
    }

    @Test
    void aSkippedRowHasNoAddressesAndKeepsItsReason() {
        assertEquals("skipped", message(2).get("status"));
        assertEquals(List.of(), message(2).get("addresses"));
        assertEquals("invalid To address \"carl@\"", message(2).get("reason"));
    }

    @Test
    void serverControlCharactersAreJsonEscapesNeverRawButTheValueIsExact() {
        assertFalse(json.contains("\u001b"), json);
        assertEquals(reply(451, "4.7.1", "\u001b[2Jgreylisted, try later"), addresses(1).get(1).get("reply"));
    }

    /** A parsed value as what the test expects it to be; a wrong guess fails the test with a ClassCastException. */
    @SuppressWarnings("unchecked")
    private static <T> T cast(Object o) {
        return (T) o;
    }
}
