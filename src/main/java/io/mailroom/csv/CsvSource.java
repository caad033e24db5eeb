package io.mailroom.csv;

import com.opencsv.CSVReader;
import com.opencsv.CSVReaderBuilder;
import com.opencsv.RFC4180ParserBuilder;
import com.opencsv.exceptions.CsvValidationException;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Streams a recipient CSV (RFC 4180: quoted fields may hold commas, quotes and line breaks) one record at
 * a time; the file is never held in memory. The header row is required, its names trimmed, unique and
 * non-empty. A UTF-8 byte-order mark is always accepted (and means the file is UTF-8). Bytes that are not
 * valid in the declared encoding are an error naming the row and column, never replaced silently.
 */
public final class CsvSource implements Closeable {
    private static final char REPLACEMENT = '\uFFFD';

    private final String file;
    private final Charset charset;
    private final CSVReader reader;
    private final List<String> header;
    private int row = 1;

    private CsvSource(String file, Charset charset, CSVReader reader, List<String> header) {
        this.file = file;
        this.charset = charset;
        this.reader = reader;
        this.header = header;
    }

    public static CsvSource open(Path path, Charset charset) throws IOException, CsvException {
        InputStream in = new BufferedInputStream(Files.newInputStream(path));
        Charset actual = skipUtf8Bom(in) ? StandardCharsets.UTF_8 : charset;
        // Decoding runs ahead of the parser, so a decoder error cannot name the row; replace instead and
        // refuse the record that holds a replacement character, naming its row and column.
        var decoder = actual.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE)
                .replaceWith(String.valueOf(REPLACEMENT));
        CSVReader reader = new CSVReaderBuilder(new InputStreamReader(in, decoder))
                .withCSVParser(new RFC4180ParserBuilder().build())
                .withKeepCarriageReturn(false)
                .build();
        String name = path.toString();
        try {
            String[] first = readRecord(reader, name, 1);
            if (first != null) requireDecoded(name, 1, first, null, actual);
            if (first == null) throw new CsvException(name + ": the file is empty; it needs a header row naming the columns", null);
            return new CsvSource(name, actual, reader, header(name, first));
        } catch (CsvException | RuntimeException e) {
            reader.close();
            throw e;
        }
    }

    public String file() { return file; }

    public List<String> header() { return header; }

    /** The next record, or null at the end of the file. Blank lines are counted as rows but not returned. */
    public CsvRow next() throws IOException, CsvException {
        while (true) {
            String[] values = readRecord(reader, file, row + 1);
            if (values == null) return null;
            row++;
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

    private static String[] readRecord(CSVReader reader, String file, int row) throws IOException, CsvException {
        try {
            return reader.readNext();
        } catch (CsvValidationException e) {
            throw new CsvException(file + ", row " + row + ": " + e.getMessage(), e);
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains("Unterminated quoted field")) {
                throw new CsvException(file + ", row " + row + ": a quoted field is never closed (a missing \" ?)", e);
            }
            throw e;
        }
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
        reader.close();
    }
}
