package io.mailroom.csv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvSourceTest {
    @TempDir
    Path dir;

    private List<CsvRow> readAll(byte[] content, Charset charset) throws Exception {
        Path file = dir.resolve("r.csv");
        Files.write(file, content);
        List<CsvRow> rows = new ArrayList<>();
        try (CsvSource csv = CsvSource.open(file, charset)) {
            CsvRow r;
            while ((r = csv.next()) != null) rows.add(r);
        }
        return rows;
    }

    @Test
    void quotedFieldsKeepCommasQuotesAndLineBreaksAndRowsCountRecords() throws Exception {
        String csv = "email,note\r\na@x.com,\"one, two\"\r\nb@x.com,\"line1\nline2\nline3\"\r\nc@x.com,\"say \"\"hi\"\"\"\r\n";
        List<CsvRow> rows = readAll(csv.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
        assertEquals(List.of(2, 3, 4), rows.stream().map(CsvRow::row).toList());
        assertEquals("one, two", rows.get(0).fields().get("note"));
        assertEquals("line1\nline2\nline3", rows.get(1).fields().get("note"));
        assertEquals("say \"hi\"", rows.get(2).fields().get("note"));
    }

    @Test
    void utf8ByteOrderMarkIsNotPartOfTheFirstColumnName() throws Exception {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] body = "email,name\na@x.com,Zoë\n".getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[bom.length + body.length];
        System.arraycopy(bom, 0, all, 0, 3);
        System.arraycopy(body, 0, all, 3, body.length);
        CsvRow row = readAll(all, StandardCharsets.UTF_8).get(0);
        assertEquals(Map.of("email", "a@x.com", "name", "Zoë"), row.fields());
    }

    @Test
    void gb18030AndWindows1252AreDecodedAsDeclared() throws Exception {
        Charset gb = Charset.forName("GB18030");
        assertEquals("王芳", readAll("email,name\na@x.com,王芳\n".getBytes(gb), gb).get(0).fields().get("name"));
        Charset cp = Charset.forName("windows-1252");
        assertEquals("Müller – €", readAll("email,name\na@x.com,Müller – €\n".getBytes(cp), cp).get(0).fields().get("name"));
    }

    @Test
    void bytesInvalidForTheEncodingNameTheFileAndRow() {
        byte[] latin1 = "email,name\na@x.com,ok\nb@x.com,M\u00fcller\n".getBytes(StandardCharsets.ISO_8859_1);
        CsvException e = assertThrows(CsvException.class, () -> readAll(latin1, StandardCharsets.UTF_8));
        assertTrue(e.getMessage().contains("r.csv, row 3, column \"name\"") && e.getMessage().contains("recipients.encoding"), e.getMessage());
    }

    @Test
    void headerNeedsUniqueNonEmptyNames() {
        CsvException dup = assertThrows(CsvException.class, () -> readAll("email,email\n".getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
        assertTrue(dup.getMessage().contains("column 2") && dup.getMessage().contains("twice"), dup.getMessage());
        CsvException empty = assertThrows(CsvException.class, () -> readAll("email,,x\n".getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
        assertTrue(empty.getMessage().contains("column 2"), empty.getMessage());
        assertThrows(CsvException.class, () -> readAll(new byte[0], StandardCharsets.UTF_8));
    }

    @Test
    void rowWithTheWrongNumberOfFieldsCarriesAProblem() throws Exception {
        List<CsvRow> rows = readAll("email,name\na@x.com,Ann,extra\nb@x.com,Bob\n".getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
        assertTrue(rows.get(0).problem().contains("3 fields"), rows.get(0).problem());
        assertNull(rows.get(1).problem());
    }

    @Test
    void blankLinesAreCountedButNotReturned() throws Exception {
        List<CsvRow> rows = readAll("email\na@x.com\n\nb@x.com\n".getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
        assertEquals(List.of(2, 4), rows.stream().map(CsvRow::row).toList());
    }

    @Test
    void unclosedQuoteIsAnError() {
        assertThrows(CsvException.class, () -> readAll("email,name\na@x.com,\"open\n".getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
    }

    @Test
    void snapshotLineRoundTripsAnyValue() throws IOException {
        List<String> values = List.of("a,b", "say \"x\"", "two\nlines", "", "ü");
        assertEquals(values, CsvLine.decode(CsvLine.encode(values)));
    }
}
