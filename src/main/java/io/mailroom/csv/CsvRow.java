package io.mailroom.csv;

import java.util.Map;

/**
 * One record: its 1-based number in the file (the header is row 1, so the first recipient is row 2,
 * whatever quoted line breaks came before), the values by column name in header order, and a problem
 * when the record does not fit the header (then the row can only be skipped).
 */
public record CsvRow(int row, Map<String, String> fields, String problem) {
    public CsvRow {
        fields = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fields));
    }
}
