package io.mailroom.send;

import io.mailroom.smtp.SmtpReply;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * THE table of replies that say the sender, not one recipient, is going too fast: the account or client is over a
 * provider's rate, or the server is shedding load. Such a reply defers its addresses as any 4xx does, and also slows
 * the whole run down ({@link Pace}). Only transient replies qualify: a 5xx is a verdict, not a request to slow down.
 */
final class Throttling {
    /** One row: a reply code (0: any 4xx), an enhanced code prefix (null: any), words in the text (null: any), and what it means. */
    private record Rule(int code, String enhanced, Pattern words, String meaning) {
        boolean matches(SmtpReply r) {
            return (code == 0 || r.code() == code) && (enhanced == null || r.enhanced() != null && r.enhanced().startsWith(enhanced))
                    && (words == null || words.matcher(r.text()).find());
        }
    }

    /** Words that say the sender's pace is the problem. */
    private static final Pattern TOO_FAST = Pattern.compile("(?i)too (many|much|fast)|rate.?limit|throttl|slow down|exceeded|quota");
    /** Under a 4.7.x (security or policy) code, these say so too: Gmail's "421 4.7.0 Try again later", Exchange's "server busy". */
    private static final Pattern LATER = Pattern.compile("(?i)" + TOO_FAST.pattern() + "|try (again )?later|busy");

    private static final List<Rule> RULES = List.of(
            new Rule(0, "4.7.28", null, "Gmail: unusual rate of mail from this sender"),
            new Rule(0, "4.7.5", null, "Exchange Online: the account or server is throttled (4.7.5xx)"),
            new Rule(452, "4.5.3", null, "too many recipients"),
            // Postfix smtpd_client_message_rate_limit and its kin: "4.7.0 Error: too much mail from …"
            new Rule(0, "4.7.", LATER, "the server limits how fast this sender may send"),
            new Rule(421, null, TOO_FAST, "the server limits how fast this sender may send"),
            new Rule(450, null, TOO_FAST, "the server limits how fast this sender may send"),
            new Rule(451, null, TOO_FAST, "the server limits how fast this sender may send"),
            new Rule(452, null, Pattern.compile("(?i)too (many|much)"), "the server limits how fast this sender may send"));

    private Throttling() { }

    /**
     * Not about the sender's pace: a limit on one session ("too many messages for this connection": a new session is
     * the answer) or greylisting ("451 4.7.1 Greylisted, please try again later": the same message later is).
     */
    private static final Pattern NOT_PACE = Pattern.compile("(?i)(for|per|in|on) (this|a|one) (connection|session)|per (connection|session)|gr[ea]ylist");

    /** What {@code r} says about the sender's pace, when it asks the sender to slow down. */
    static Optional<String> meaning(SmtpReply r) {
        if (!r.isTransient() || NOT_PACE.matcher(r.text()).find()) return Optional.empty();
        return RULES.stream().filter(rule -> rule.matches(r)).findFirst().map(Rule::meaning);
    }
}
