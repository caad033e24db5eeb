package io.mailroom.report;

import io.mailroom.store.Address;
import io.mailroom.store.Recipient;
import io.mailroom.store.RecipientStatus;
import io.mailroom.store.StoredReply;
import java.io.PrintWriter;
import java.util.List;

/**
 * The contract's JSON report. Field names and meanings are fixed; new fields may be added. Values are exact
 * (no formula neutralizing, reply lines kept apart); control characters ({@link Display}) are written as
 * JSON escapes, so the file is safe to print. Each message ends with its {@code addresses}, one object per
 * envelope address in envelope order, each on its own line; a skipped row has none.
 */
final class JsonReport {
    private JsonReport() { }

    static void write(Report r, PrintWriter out) {
        out.print("{\"job\": " + str(r.job()) + ", \"finished\": " + r.finished() + ",\n \"counts\": {");
        String sep = "";
        for (RecipientStatus s : RecipientStatus.shown(r.counts())) {
            out.print(sep + str(s.label()) + ": " + r.counts().get(s));
            sep = ", ";
        }
        out.print("},");
        if (!r.workers().isEmpty()) {
            out.print("\n \"workers\": [");
            sep = "";
            for (var w : r.workers()) {
                out.print(sep + "{\"id\": " + str(w.id()) + ", \"host\": " + str(w.host()) + ", \"state\": " + str(w.state(r.at())) + ", \"started\": "
                        + str(w.startedAt().toString()) + ", \"lastHeartbeat\": " + str(w.heartbeatAt().toString()) + ", \"sent\": " + w.sent() + "}");
                sep = ",\n  ";
            }
            out.print("],");
        }
        if (!r.throttles().isEmpty()) {
            out.print("\n \"throttles\": [");
            sep = "";
            for (var t : r.throttles()) {
                out.print(sep + "{\"at\": " + str(t.at().toString()) + ", \"reply\": " + reply(t.reply()) + ", \"meaning\": " + str(t.meaning())
                        + ", \"resumeAt\": " + str(t.resumeAt().toString()) + ", \"perMinute\": "
                        + Report.perMinute(t) + "}");
                sep = ",\n  ";
            }
            out.print("],");
        }
        out.print("\n \"messages\": [");
        sep = "\n  ";
        for (Recipient m : r.messages()) {
            out.print(sep);
            message(m, out);
            sep = ",\n  ";
        }
        out.println(r.messages().isEmpty() ? "]}" : "\n ]}");
    }

    private static void message(Recipient m, PrintWriter out) {
        out.print("{\"row\": " + m.row() + ", \"key\": " + str(m.key()) + ", \"to\": " + array(m.to()) + ", \"status\": "
                + str(m.status().label()) + ", \"attempts\": " + m.attempts() + ", \"reply\": " + reply(m.reply())
                + ", \"messageId\": " + str(m.messageId()));
        if (m.reason() != null) out.print(", \"reason\": " + str(m.reason()));
        out.print(", \"addresses\": [");
        String sep = "\n    ";
        for (Address a : m.addresses()) {
            out.print(sep + "{\"address\": " + str(a.address()) + ", \"kind\": " + str(a.kind()) + ", \"status\": " + str(a.status().label())
                    + ", \"attempts\": " + a.attempts() + ", \"reply\": " + reply(a.reply())
                    // the relay's reply stays the reply; what the bounce said comes beside it
                    + (a.status() == RecipientStatus.BOUNCED ? ", \"bounce\": " + str(a.failure()) : "") + "}");
            sep = ",\n    ";
        }
        out.print("]}");
    }

    private static String reply(StoredReply r) {
        if (r == null) return "null";
        return "{\"code\": " + r.code() + ", \"enhanced\": " + str(r.enhanced()) + ", \"text\": " + str(r.text()) + "}";
    }

    private static String array(List<String> values) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < values.size(); i++) sb.append(i == 0 ? "" : ", ").append(str(values.get(i)));
        return sb.append(']').toString();
    }

    static String str(String s) {
        if (s == null) return "null";
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (Display.isControl(c)) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"').toString();
    }
}
