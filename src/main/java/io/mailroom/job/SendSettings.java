package io.mailroom.job;

import io.mailroom.smtp.AuthMechanism;
import io.mailroom.smtp.Dsn;
import io.mailroom.smtp.Security;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import io.mailroom.send.RateLimit;
import io.mailroom.send.RetryRules;

/**
 * How a job sends: the SMTP keys of the job file and envelope.from. This is what the database keeps of
 * the job file (paths made absolute) so resume works without it; it names where the password comes from
 * (a variable, a file, or a command run in the job's folder for every session), never the password; {@code connections} is how many sessions send at once; {@code rateForJobOnly}
 * (rate.scope=job) makes the rate limits count this job's messages alone, not its account's. The
 * {@link RowLimits} are kept too: a resumed job builds its messages under the same limits. {@code verp}
 * (envelope.verp) gives each attempt its own MAIL FROM, {@code suppressBounced} (recipients.suppress-bounced)
 * skips addresses that hard-bounced before, and {@code bounceMailbox} is where bounces arrive (null when the
 * job file names none): the bounces command reads it from the stored settings. {@code dsn} is what the job asks of
 * delivery status notifications (the dsn.* keys; null: nothing). {@code dkim} (null: unsigned) names the signing
 * key's file, never the key; {@code unsubscribe} (null: none) holds the list-unsubscribe.* templates.
 */
public record SendSettings(String host, int port, Security security, String username, AuthMechanism auth, String passwordEnv, Path passwordFile,
                           String passwordCommand,
                           Path trust, boolean allowPlaintextAuth, Duration timeout, int maxMessagesPerSession,
                           Duration idleProbe, RetryRules retry, List<RateLimit.Limit> rate, boolean rateForJobOnly, String envelopeFrom, String helo,
                           int connections, RowLimits limits, boolean verp, boolean suppressBounced, BounceSettings bounceMailbox,
                           Dsn dsn, DkimSettings dkim, ListUnsubscribe unsubscribe) {
    /** Where the job's bounces arrive (the bounces.* keys), if the job file says. */
    public Optional<BounceSettings> bounces() { return Optional.ofNullable(bounceMailbox); }
}
