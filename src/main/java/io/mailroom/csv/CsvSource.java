package io.mailroom.csv;

import com.opencsv.ICSVParser;
import com.opencsv.RFC4180ParserBuilder;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Streams a recipient CSV (RFC 4180: quoted fields may hold commas, quotes and line breaks) one record at
 * a time; the file is never held in memory. The header row is required, its names trimmed, unique and
 * non-empty. A UTF-8 byte-order mark is always accepted (and means the file is UTF-8). Bytes that are not
 * valid in the declared encoding are an error naming the row and column, never replaced silently.
 * A record longer than the limit (in characters) is never held whole: it comes back as a row with a problem,
 * so that row alone is skipped; an over-long header is an error. A file that ends inside quotes is an error.
 */
public final class CsvSource implements Closeable {
    /** 1 MiB: far beyond any real recipient row, small enough that one broken row cannot exhaust memory. */
    public static final int DEFAULT_MAX_RECORD_CHARS = 1024 * 1024;

    private static final char REPLACEMENT = '\uFFFD';

    private final String file;
    private final Charset charset;
    private final Reader text;
    private final RecordReader records;
    private final int maxRecordChars;
    private final ICSVParser parser = new RFC4180ParserBuilder().build();
    private final List<String> header;
    private int row = 1;

    private CsvSource(String file, Charset charset, Reader text, RecordReader records, int maxRecordChars, List<String> header) {
        this.file = file;
        this.charset = charset;
        this.text = text;
        this.records = records;
        this.maxRecordChars = maxRecordChars;
        this.header = header;
    }

    public static CsvSource open(Path path, Charset charset) throws IOException, CsvException {
        return open(path, charset, DEFAULT_MAX_RECORD_CHARS);
    }

    /** As {@link #open(Path, Charset)}, with at most maxRecordChars characters in one record (at least 1). */
    public static CsvSource open(Path path, Charset charset, int maxRecordChars) throws IOException, CsvException {
        return open(path.toString(), Files.newInputStream(path), charset, maxRecordChars);
    }

    /** As {@link #open(Path, Charset, int)}, from {@code content} (closed with the source), named {@code name} in errors. */
    public static CsvSource open(String name, InputStream content, Charset charset, int maxRecordChars) throws IOException, CsvException {
        if (maxRecordChars < 1) throw new IllegalArgumentException("maxRecordChars must be at least 1: " + maxRecordChars);
        InputStream in = new BufferedInputStream(content);
        Charset actual = skipUtf8Bom(in) ? StandardCharsets.UTF_8 : charset;
        // Decoding runs ahead of the parser, so a decoder error cannot name the row; replace instead and
        // refuse the record that holds a replacement character, naming its row and column.
        var decoder = actual.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE)
                .replaceWith(String.valueOf(REPLACEMENT));
        Reader text = new InputStreamReader(in, decoder);
        RecordReader records = new RecordReader(text, maxRecordChars);
        try {
            RecordReader.Raw first = readRecord(records, name, 1);
            if (first == null) throw new CsvException(name + ": the file is empty; it needs a header row naming the columns", null);
            if (first.tooLong()) {
                throw new CsvException(name + ", row 1 (header): longer than " + count(maxRecordChars)
                        + " characters (a field too long, or a quote never closed?)", null);
            }
            String[] names = new RFC4180ParserBuilder().build().parseLine(first.text());
            requireDecoded(name, 1, names, null, actual);
            return new CsvSource(name, actual, text, records, maxRecordChars, header(name, names));
        } catch (CsvException | IOException | RuntimeException e) {
            text.close();
            throw e;
        }
    }

    public String file() { return file; }

    public List<String> header() { return header; }

    /** The next record, or null at the end of the file. Blank lines are counted as rows but not returned. */
    public CsvRow next() throws IOException, CsvException {
        while (true) {
            RecordReader.Raw raw = readRecord(records, file, row + 1);
            if (raw == null) return null;
            row++;
            if (raw.tooLong()) {
                return new CsvRow(row, Map.of(), "row " + row + " is longer than " + count(maxRecordChars)
                        + " characters (a field too long, or a quote never closed?)");
            }
            String[] values = parser.parseLine(raw.text());
            requireDecoded(file, row, values, header, charset);
            if (values.length == 1 && values[0].isBlank()) continue;
            return toRow(values);
        }
    }

    private CsvRow toRow(String[] values) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i < Math.min(values.length, header.size()); i++) fields.put(header.get(i), values[i]);
        String problem = values.length == header.size() ? null
                : "row " + row + " has " + values.length + " fields but the header has " + header.size()
                  + " (a missing or extra comma, or an unquoted comma in a value?)";
        return new CsvRow(row, fields, problem);
    }

    private static void requireDecoded(String file, int row, String[] values, List<String> header, Charset charset) throws CsvException {
        for (int i = 0; i < values.length; i++) {
            if (values[i].indexOf(REPLACEMENT) >= 0) {
                String column = header != null && i < header.size() ? "column \"" + header.get(i) + "\"" : "column " + (i + 1);
                throw new CsvException(file + ", row " + row + ", " + column + ": bytes that are not valid " + charset.name()
                        + "; set recipients.encoding to the file's real encoding (e.g. UTF-8, windows-1252, GB18030)", null);
            }
        }
    }

    private static RecordReader.Raw readRecord(RecordReader records, String file, int row) throws IOException, CsvException {
        try {
            return records.next();
        } catch (RecordReader.QuoteNeverClosed e) {
            throw new CsvException(file + ", row " + row + ": a quoted field is never closed (a missing \" ?)", e);
        }
    }

    private static String count(int chars) {
        return String.format(Locale.ROOT, "%,d", chars);
    }

    private static List<String> header(String file, String[] names) throws CsvException {
        List<String> header = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < names.length; i++) {
            String name = names[i].strip();
            if (name.isEmpty()) {
                throw new CsvException(file + ", row 1 (header), column " + (i + 1) + ": empty column name; every column needs a name", null);
            }
            if (!seen.add(name)) {
                throw new CsvException(file + ", row 1 (header), column " + (i + 1) + ": column \"" + name + "\" appears twice", null);
            }
            header.add(name);
        }
        return List.copyOf(header);
    }

    private static boolean skipUtf8Bom(InputStream in) throws IOException {
        in.mark(3);
        byte[] b = in.readNBytes(3);
        if (b.length == 3 && (b[0] & 0xff) == 0xEF && (b[1] & 0xff) == 0xBB && (b[2] & 0xff) == 0xBF) return true;
        in.reset();
        return false;
    }

    @Override
    public void close() throws IOException {
        text.close();
    }
}
