package io.mailroom.send;

/**
 * A request to stop sending (SIGINT, SIGTERM): the run finishes the messages already on the wire, records
 * them, says goodbye to the server and returns; what is left stays pending for the next run.
 */
public final class Stop {
    private volatile boolean requested;

    public void request() { requested = true; }

    public boolean requested() { return requested; }
}
