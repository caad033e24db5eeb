package io.mailroom.job;

import java.io.IOException;
import java.sql.SQLException;

/**
 * Where the bytes of attachments and inline images come from: the template's folder on disk while planning
 * (copied into the job's snapshot), the snapshot while sending. {@code name} is a checked {@link AttachmentFolder#name} path.
 */
interface AttachmentFiles {
    /**
     * The file's bytes, or null when there is no such file; a file over {@code maxBytes}, or one that is
     * not a regular file inside the folder, is the row's problem.
     */
    byte[] read(String name, long maxBytes) throws IOException, SQLException, RowProblem;
}
