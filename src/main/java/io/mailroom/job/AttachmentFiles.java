package io.mailroom.job;

import java.io.IOException;
import java.sql.SQLException;

/**
 * Where attachment bytes come from: the template's folder on disk while planning (copied into the job's
 * snapshot), the snapshot while sending. {@code name} is normalized and relative to the template's folder.
 */
interface AttachmentFiles {
    /** The file's bytes, or null when there is no such file. */
    byte[] read(String name) throws IOException, SQLException;
}
