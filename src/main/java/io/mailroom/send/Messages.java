package io.mailroom.send;

import io.mailroom.mime.Envelope;
import io.mailroom.mime.OutgoingMessage;
import io.mailroom.store.Recipient;

/** Where the engine gets each recipient's message: built again from the row's snapshot, as it was planned. */
public interface Messages {
    /** The row's message; {@link Unbuildable} when it no longer renders (the row is then skipped). */
    OutgoingMessage compose(Recipient r) throws Unbuildable;

    /** The row's envelope alone: who its message goes to. */
    Envelope envelope(Recipient r) throws Unbuildable;

    /** Why a row cannot become a message at send time. */
    final class Unbuildable extends Exception {
        public Unbuildable(String reason) {
            super(reason);
        }
    }
}
