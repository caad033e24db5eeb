package io.mailroom.bounce;

import jakarta.mail.Header;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetHeaders;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.eclipse.angus.mail.dsn.DeliveryStatus;

/**
 * The fields of a message/delivery-status part (RFC 3464; message/global-delivery-status, RFC 6533, has the same
 * form in UTF-8): the per-message group and one group per recipient. Read with Angus Mail's DeliveryStatus; if it
 * fails on the part, or finds no recipient group in it, the groups are split by hand (blank lines between groups
 * of "Name: value" lines), which also takes stray blank lines and a missing per-message group in its stride.
 * Groups are told apart by their fields, not their position.
 */
record DeliveryStatusReport(String reportingMta, String envelopeId, String arrivalDate, List<Bounce.Recipient> recipients) {

    static DeliveryStatusReport parse(byte[] part) {
        // Angus reads field bytes as ISO-8859-1: a report with UTF-8 in it (RFC 6533) is read by hand, as UTF-8
        List<Map<String, String>> groups = isAscii(part) ? byAngus(part) : List.of();
        if (groups.stream().noneMatch(DeliveryStatusReport::isRecipientGroup)) groups = byHand(part);
        String mta = null, envid = null, arrival = null;
        List<Bounce.Recipient> recipients = new ArrayList<>();
        for (Map<String, String> g : groups) {
            if (isRecipientGroup(g)) {
                recipients.add(recipient(g));
            } else if (mta == null && envid == null && arrival == null) {
                mta = BounceText.untyped(g.get("reporting-mta"));
                envid = BounceText.envelopeId(g.get("original-envelope-id"));
                arrival = g.get("arrival-date");
            }
        }
        return new DeliveryStatusReport(mta, envid, arrival, recipients);
    }

    private static boolean isAscii(byte[] bytes) {
        for (byte b : bytes) if (b < 0) return false;
        return true;
    }

    private static boolean isRecipientGroup(Map<String, String> g) {
        return g.containsKey("final-recipient") || g.containsKey("original-recipient");
    }

    private static Bounce.Recipient recipient(Map<String, String> g) {
        String diagnostic = BounceText.diagnostic(g.get("diagnostic-code"));
        String status = BounceText.enhancedCode(g.get("status"));
        if (status == null) status = BounceText.enhancedCode(diagnostic);
        String original = BounceText.bareAddress(g.get("original-recipient"));
        String fin = BounceText.bareAddress(g.get("final-recipient"));
        return new Bounce.Recipient(fin != null ? fin : original, original, BounceText.action(g.get("action"), status), status, diagnostic);
    }

    private static List<Map<String, String>> byAngus(byte[] part) {
        List<Map<String, String>> groups = new ArrayList<>();
        try {
            DeliveryStatus ds = new DeliveryStatus(new ByteArrayInputStream(part));
            groups.add(fields(ds.getMessageDSN()));
            for (int i = 0; i < ds.getRecipientDSNCount(); i++) groups.add(fields(ds.getRecipientDSN(i)));
        } catch (MessagingException | IOException | RuntimeException e) {
            return List.of(); // the part is read by hand instead
        }
        return groups;
    }

    private static Map<String, String> fields(InternetHeaders h) {
        Map<String, String> out = new LinkedHashMap<>();
        if (h == null) return out;
        for (Header f : Collections.list(h.getAllHeaders())) {
            if (f.getValue() != null) out.putIfAbsent(f.getName().strip().toLowerCase(Locale.ROOT), BounceText.unfold(f.getValue()).strip());
        }
        return out;
    }

    private static List<Map<String, String>> byHand(byte[] part) {
        List<Map<String, String>> groups = new ArrayList<>();
        Map<String, String> group = new LinkedHashMap<>();
        String last = null;
        for (String line : new String(part, StandardCharsets.UTF_8).split("\\r?\\n", -1)) {
            if (line.isBlank()) {
                if (!group.isEmpty()) groups.add(group);
                group = new LinkedHashMap<>();
                last = null;
            } else if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && last != null) {
                group.put(last, group.get(last) + " " + line.strip());
            } else if (line.indexOf(':') > 0) {
                last = line.substring(0, line.indexOf(':')).strip().toLowerCase(Locale.ROOT);
                String value = line.substring(line.indexOf(':') + 1).strip();
                if (group.putIfAbsent(last, value) != null) last = null;
            }
        }
        if (!group.isEmpty()) groups.add(group);
        return groups;
    }
}
