package io.mailroom.csv;

import com.opencsv.CSVWriter;
import com.opencsv.RFC4180ParserBuilder;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;

/** Encodes a list of values as one RFC 4180 record and back: how row snapshots are stored. */
public final class CsvLine {
    private CsvLine() { }

    public static String encode(List<String> values) {
        StringWriter out = new StringWriter();
        try (CSVWriter w = new CSVWriter(out, ',', '"', '"', "")) {
            w.writeNext(values.toArray(String[]::new), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    public static List<String> decode(String line) {
        try {
            return List.of(new RFC4180ParserBuilder().build().parseLine(line));
        } catch (IOException e) {
            throw new IllegalStateException("stored row snapshot is not a CSV record: " + e.getMessage(), e);
        }
    }
}
