package io.mailroom.report;

import io.mailroom.store.StoredReply;
import java.util.Map;

/**
 * What a server's reply means in plain words, for people reading a report: the one table of enhanced status
 * codes (RFC 3463; the class digit says success, temporary or permanent, the rest what it is about) and,
 * for a reply without one, the basic reply codes (RFC 5321 section 4.2). The server's own text stays the
 * authority: reports show it too, this only names the code.
 */
final class ReplyMeaning {
    /** RFC 3463 section 3, by subject.detail (the class digit left out). */
    private static final Map<String, String> ENHANCED = Map.ofEntries(
            Map.entry("0.0", "other or undefined status"),
            Map.entry("1.0", "other address status"),
            Map.entry("1.1", "mailbox does not exist"),
            Map.entry("1.2", "destination system does not exist"),
            Map.entry("1.3", "destination address is not valid"),
            Map.entry("1.4", "destination address is ambiguous"),
            Map.entry("1.5", "destination address valid"),
            Map.entry("1.6", "mailbox has moved, no forwarding address"),
            Map.entry("1.7", "sender address is not valid"),
            Map.entry("1.8", "sender's system is not valid"),
            Map.entry("2.0", "other mailbox status"),
            Map.entry("2.1", "mailbox disabled, not accepting messages"),
            Map.entry("2.2", "mailbox full"),
            Map.entry("2.3", "message longer than the mailbox allows"),
            Map.entry("2.4", "mailing list expansion problem"),
            Map.entry("3.0", "other mail system status"),
            Map.entry("3.1", "mail system full"),
            Map.entry("3.2", "system not accepting network messages"),
            Map.entry("3.3", "system not capable of selected features"),
            Map.entry("3.4", "message too big for the system"),
            Map.entry("3.5", "system incorrectly configured"),
            Map.entry("4.0", "other network or routing status"),
            Map.entry("4.1", "no answer from host"),
            Map.entry("4.2", "bad connection"),
            Map.entry("4.3", "directory server failure"),
            Map.entry("4.4", "unable to route"),
            Map.entry("4.5", "mail system congestion"),
            Map.entry("4.6", "routing loop detected"),
            Map.entry("4.7", "delivery time expired"),
            Map.entry("5.0", "other protocol status"),
            Map.entry("5.1", "invalid command"),
            Map.entry("5.2", "syntax error"),
            Map.entry("5.3", "too many recipients"),
            Map.entry("5.4", "invalid command arguments"),
            Map.entry("5.5", "wrong protocol version"),
            Map.entry("6.0", "other message content status"),
            Map.entry("6.1", "media not supported"),
            Map.entry("6.2", "conversion required and prohibited"),
            Map.entry("6.3", "conversion required but not supported"),
            Map.entry("6.4", "conversion with loss performed"),
            Map.entry("6.5", "conversion failed"),
            Map.entry("7.0", "other security or policy status"),
            Map.entry("7.1", "delivery not authorized, message refused"),
            Map.entry("7.2", "mailing list expansion prohibited"),
            Map.entry("7.3", "security conversion required but not possible"),
            Map.entry("7.4", "security features not supported"),
            Map.entry("7.5", "cryptographic failure"),
            Map.entry("7.6", "cryptographic algorithm not supported"),
            Map.entry("7.7", "message integrity failure"));

    /** RFC 5321 section 4.2.2/4.2.3, for a reply that carries no enhanced code. */
    private static final Map<Integer, String> BASIC = Map.ofEntries(
            Map.entry(250, "accepted"),
            Map.entry(251, "accepted, will be forwarded"),
            Map.entry(252, "accepted, recipient cannot be verified"),
            Map.entry(421, "service not available, closing the connection"),
            Map.entry(450, "mailbox unavailable (busy or temporarily blocked)"),
            Map.entry(451, "local error in processing"),
            Map.entry(452, "insufficient system storage"),
            Map.entry(455, "server cannot accommodate the parameters"),
            Map.entry(500, "command not recognized"),
            Map.entry(501, "syntax error in parameters"),
            Map.entry(502, "command not implemented"),
            Map.entry(503, "bad sequence of commands"),
            Map.entry(504, "command parameter not implemented"),
            Map.entry(550, "mailbox unavailable (not found, or no access)"),
            Map.entry(551, "user not local"),
            Map.entry(552, "exceeded storage allocation"),
            Map.entry(553, "mailbox name not allowed"),
            Map.entry(554, "transaction failed"),
            Map.entry(555, "MAIL or RCPT parameters not recognized"));

    private ReplyMeaning() { }

    /** The plain meaning of {@code reply}'s enhanced code, else of its basic code; empty when neither is known (or no reply). */
    static String of(StoredReply reply) {
        if (reply == null) return "";
        String enhanced = reply.enhanced() == null ? "" : ofEnhanced(reply.enhanced());
        return enhanced.isEmpty() ? BASIC.getOrDefault(reply.code(), "") : enhanced;
    }

    /**
     * The meaning of an enhanced code such as 5.1.1 ("mailbox does not exist"); an unlisted detail falls back to
     * its subject's "other …" meaning (5.1.99: "other address status"), anything else is empty. 2.0.0 says
     * "accepted": "undefined status" is what RFC 3463 calls it, but after a success class it only means that.
     */
    static String ofEnhanced(String code) {
        String[] parts = code.split("\\.", -1);
        if (parts.length != 3 || !parts[0].matches("[245]")) return "";
        if (parts[0].equals("2") && parts[1].equals("0") && parts[2].equals("0")) return "accepted";
        String exact = ENHANCED.get(parts[1] + "." + parts[2]);
        return exact != null ? exact : ENHANCED.getOrDefault(parts[1] + ".0", "");
    }
}
