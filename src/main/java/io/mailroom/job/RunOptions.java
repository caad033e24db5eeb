package io.mailroom.job;

import io.mailroom.smtp.SmtpSettings;
import java.time.Instant;

/**
 * Options of one run. {@code serverOverride} replaces the job's SMTP server (the sandbox); {@code limit}
 * caps the messages tried in this run; {@code acceptTemplateChange} lets a changed template replace the job's;
 * {@code deadline} (null for none) is when this run stops starting new messages.
 */
public record RunOptions(String dbUrl, boolean dryRun, int limit, SmtpSettings serverOverride, boolean acceptTemplateChange, Instant deadline) { }
