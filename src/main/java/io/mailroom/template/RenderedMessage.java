package io.mailroom.template;

import java.util.List;

/**
 * A row rendered through the job's templates: the header block's headers in order (Attachment lines
 * included, as written), the text body and the optional HTML body (null when the job has none).
 */
public record RenderedMessage(List<Header> headers, String text, String html) {
    public RenderedMessage {
        headers = List.copyOf(headers);
    }

    /** The values of the named header as the reader sees them. */
    public List<String> values(String name) {
        return headers.stream().filter(h -> h.name().equalsIgnoreCase(name)).map(Header::value).toList();
    }

    /** The named header's values with data marks kept, for parsing address lists. */
    public List<String> rawValues(String name) {
        return headers.stream().filter(h -> h.name().equalsIgnoreCase(name)).map(Header::raw).toList();
    }
}
