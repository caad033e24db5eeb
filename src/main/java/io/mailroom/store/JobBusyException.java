package io.mailroom.store;

/** Another process is sending this job right now. */
public final class JobBusyException extends Exception {
    public JobBusyException(String job) {
        super("job " + job + " is being sent by another mailroom process; this one stops without sending"
                + " (run it again later, e.g. on the next schedule)");
    }
}
