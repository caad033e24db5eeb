package io.mailroom.smtp;

import java.util.List;

/**
 * Every reply of one mail transaction, in order: MAIL, one RCPT per address, then DATA and END_OF_DATA
 * when the transaction got that far. Negative replies are data here, never exceptions.
 */
public record Delivery(List<Exchange> exchanges) {

    public Delivery {
        exchanges = List.copyOf(exchanges);
    }

    /** The last reply received: the one that ended the transaction. */
    public Exchange last() { return exchanges.get(exchanges.size() - 1); }
}
