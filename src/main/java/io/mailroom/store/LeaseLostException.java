package io.mailroom.store;

import java.sql.SQLException;

/**
 * A worker's lease passed while it still held rows (it was out of touch with the database for longer than
 * the lease), so other workers may have settled or taken them: it records nothing more and stops.
 */
public final class LeaseLostException extends SQLException {
    public LeaseLostException(String worker, long recipientId) {
        super("worker " + worker + " no longer holds recipient " + recipientId + ": " + WHY);
    }

    public LeaseLostException(String worker) {
        super("worker " + worker + " stopped: " + WHY);
    }

    private static final String WHY = "its lease passed (it lost touch with the database for longer than the lease) and other workers"
            + " settle what it held; it records nothing more; run or resume again";
}
