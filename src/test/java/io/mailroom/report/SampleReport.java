package io.mailroom.report;

import io.mailroom.store.Address;
import io.mailroom.store.Recipient;
import io.mailroom.store.RecipientStatus;
import io.mailroom.store.StoredReply;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * One report with a row of each shape the per-address reports must show, built directly (no database):
 * row 2 partial (To refused 550 5.1.1 after an earlier deferral, a Cc that looks like a formula sent), row 3 deferred (To sent, Bcc
 * answered 451 with terminal escapes in its text), row 4 skipped (no addresses), row 5 wholly sent (To and Cc),
 * row 6 unknown (the final dot went unanswered: no reply, a failure).
 */
final class SampleReport {
    static final Instant T1 = Instant.parse("2026-11-02T09:15:00Z");
    static final Instant T2 = Instant.parse("2026-11-02T09:20:30Z");
    static final Instant RETRY = Instant.parse("2026-11-02T09:35:30Z");
    static final StoredReply OK = new StoredReply(250, "2.0.0", "Ok: queued as 4XyZ");
    static final StoredReply NO_SUCH_USER = new StoredReply(550, "5.1.1", "<ann@example.com>: Recipient address rejected:\nUser unknown");
    static final StoredReply GREYLISTED = new StoredReply(451, "4.7.1", "\u001b[2Jgreylisted, try later");
    static final String LOST = "connection lost during END_OF_DATA";

    private SampleReport() { }

    static Report report() {
        return new Report("welcome", counts(), List.of(
                recipient(2, "ann@example.com", RecipientStatus.PARTIAL, null, NO_SUCH_USER,
                        address(1, "to", "ann@example.com", RecipientStatus.FAILED, NO_SUCH_USER, null, T2),
                        address(2, "cc", "=1+2@example.com", RecipientStatus.SENT, OK, null, null)),
                recipient(3, "bob@example.com", RecipientStatus.DEFERRED, null, GREYLISTED,
                        address(1, "to", "bob@example.com", RecipientStatus.SENT, OK, null, null),
                        address(2, "bcc", "audit@example.com", RecipientStatus.DEFERRED, GREYLISTED, null, RETRY)),
                new Recipient(4, 4, "carl", List.of(), List.of(), null, RecipientStatus.SKIPPED, "invalid To address \"carl@\"", 0, null,
                        null, null, List.of()),
                recipient(5, "dan@example.com", RecipientStatus.SENT, null, OK,
                        address(1, "to", "dan@example.com", RecipientStatus.SENT, OK, null, null),
                        address(2, "cc", "dana@example.com", RecipientStatus.SENT, OK, null, null)),
                recipient(6, "eve@example.com", RecipientStatus.UNKNOWN, LOST, null,
                        address(1, "to", "eve@example.com", RecipientStatus.UNKNOWN, null, LOST, null))), true, List.of(), T2);
    }

    static String write(ReportFormat format) {
        StringWriter text = new StringWriter();
        format.write(report(), new PrintWriter(text));
        return text.toString();
    }

    private static Map<RecipientStatus, Integer> counts() {
        Map<RecipientStatus, Integer> counts = new EnumMap<>(RecipientStatus.class);
        for (RecipientStatus s : RecipientStatus.values()) counts.put(s, 0);
        counts.putAll(Map.of(RecipientStatus.PARTIAL, 1, RecipientStatus.DEFERRED, 1, RecipientStatus.SKIPPED, 1, RecipientStatus.SENT, 1,
                RecipientStatus.UNKNOWN, 1));
        return counts;
    }

    private static Recipient recipient(int row, String key, RecipientStatus status, String reason, StoredReply reply, Address... addresses) {
        List<String> to = java.util.Arrays.stream(addresses).filter(a -> a.kind().equals("to")).map(Address::address).toList();
        return new Recipient(row, row, key, List.of(), to, "<" + row + ".mailroom@example.com>", status, reason, 1, null, T1, reply,
                List.of(addresses));
    }

    private static Address address(int seq, String kind, String address, RecipientStatus status, StoredReply reply, String failure,
                                   Instant notBefore) {
        return new Address(seq, kind, address, status, 1, T1, T2, notBefore, reply, failure);
    }
}
