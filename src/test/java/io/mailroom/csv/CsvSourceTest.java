package io.mailroom.csv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
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

    private List<CsvRow> readAll(String content, int maxRecordChars) throws Exception {
        Path file = dir.resolve("r.csv");
        Files.writeString(file, content);
        return readAll(file, maxRecordChars);
    }

    private static List<CsvRow> readAll(Path file, int maxRecordChars) throws Exception {
        List<CsvRow> rows = new ArrayList<>();
        try (CsvSource csv = CsvSource.open(file, StandardCharsets.UTF_8, maxRecordChars)) {
            CsvRow r;
            while ((r = csv.next()) != null) rows.add(r);
        }
        return rows;
    }

    private static void assertTooLong(CsvRow row, int number, int limit) {
        assertEquals("row " + number + " is longer than " + String.format(java.util.Locale.ROOT, "%,d", limit)
                + " characters (a field too long, or a quote never closed?)", row.problem());
        assertEquals(number, row.row());
        assertEquals(Map.of(), row.fields());
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
    void overlongRowIsSkippedWithItsNumberAndTheRowsAfterItAreRead() throws Exception {
        String csv = "email,note\na@x.com,short\n\nb@x.com," + "x".repeat(100) + "\nc@x.com,\"two\nlines\"\nd@x.com,last\n";
        List<CsvRow> rows = readAll(csv, 30);
        assertEquals(List.of(2, 4, 5, 6), rows.stream().map(CsvRow::row).toList());
        assertTooLong(rows.get(1), 4, 30);
        assertEquals(Map.of("email", "c@x.com", "note", "two\nlines"), rows.get(2).fields());
        assertEquals(Map.of("email", "d@x.com", "note", "last"), rows.get(3).fields());
        assertNull(rows.get(3).problem());
    }

    @Test
    void quotedLineBreaksAndDoubledQuotesDoNotEndARecordEvenPastTheLimit() throws Exception {
        String atLimit = "a@x.com,\"say \"\"hi\"\"\nand, bye\"";
        int limit = atLimit.length();
        // The dropped part of row 3 holds a doubled quote, a quoted line break and a quoted comma:
        // "c@x.com,after" inside it is still row 3, not a row of its own.
        String csv = "email,note\n" + atLimit + "\n"
                + "b@x.com,\"" + "y".repeat(limit) + "\"\"\nc@x.com,after\n,\"\"\"\n"
                + "d@x.com,\"\"\"\"\n";
        List<CsvRow> rows = readAll(csv, limit);
        assertEquals(List.of(2, 3, 4), rows.stream().map(CsvRow::row).toList());
        assertEquals("say \"hi\"\nand, bye", rows.get(0).fields().get("note"));
        assertTooLong(rows.get(1), 3, limit);
        assertEquals(Map.of("email", "d@x.com", "note", "\""), rows.get(2).fields());
    }

    @Test
    void crlfAndCrOnlyFilesCountAndSkipRowsLikeLfFiles() throws Exception {
        String lf = "email,note\na@x.com,\"one\ntwo\"\n\nb@x.com," + "x".repeat(50) + "\nc@x.com,ok\n";
        List<CsvRow> expected = readAll(lf, 30);
        assertEquals(List.of(2, 4, 5), expected.stream().map(CsvRow::row).toList());
        assertTooLong(expected.get(1), 4, 30);
        for (String eol : List.of("\r\n", "\r")) {
            List<CsvRow> rows = readAll(lf.replace("\n", eol), 30);
            assertEquals(expected, rows, "line breaks " + eol.replace("\r", "CR").replace("\n", "LF"));
        }
    }

    @Test
    void aQuoteInsideAnUnquotedFieldIsJustACharacterAndSwallowsNoRows() throws Exception {
        String csv = "email,note,size\na@x.com,5\" disk,1\nb@x.com,ok,O\"Neil\nc@x.com," + "x".repeat(40) + ",3\nd@x.com,ok,4\n";
        List<CsvRow> rows = readAll(csv, 30);
        assertEquals(List.of(2, 3, 4, 5), rows.stream().map(CsvRow::row).toList());
        assertEquals("5\" disk", rows.get(0).fields().get("note"));
        assertEquals("O\"Neil", rows.get(1).fields().get("size"));
        assertTooLong(rows.get(2), 4, 30);
        assertEquals(Map.of("email", "d@x.com", "note", "ok", "size", "4"), rows.get(3).fields());
    }

    @Test
    void aRecordOfExactlyTheLimitIsReadAndOneCharacterMoreIsSkipped() throws Exception {
        String exact = "a@x.com,\"" + "x".repeat(20) + "\"";
        String oneMore = "b@x.com,\"" + "x".repeat(21) + "\"";
        List<CsvRow> rows = readAll("email,note\n" + exact + "\r\n" + oneMore + "\r\nc@x.com,ok", exact.length());
        assertEquals("x".repeat(20), rows.get(0).fields().get("note"));
        assertNull(rows.get(0).problem());
        assertTooLong(rows.get(1), 3, exact.length());
        assertEquals(Map.of("email", "c@x.com", "note", "ok"), rows.get(2).fields());
    }

    @Test
    void overlongHeaderIsAnErrorNamingTheFileAndRow1() {
        CsvException e = assertThrows(CsvException.class, () -> readAll("email," + "n".repeat(40) + "\na@x.com,x\n", 30));
        assertTrue(e.getMessage().contains("r.csv, row 1 (header): longer than 30 characters"), e.getMessage());
    }

    @Test
    void quoteNeverClosedIsAnErrorNamingItsRowEvenWhenItRunsPastTheLimit() {
        String csv = "email,note\na@x.com,ok\nb@x.com,\"open\n" + "c@x.com,swallowed\n".repeat(20);
        CsvException e = assertThrows(CsvException.class, () -> readAll(csv, 30));
        assertTrue(e.getMessage().contains("r.csv, row 3: a quoted field is never closed"), e.getMessage());
    }

    @Test
    void twoHundredMegabyteFieldIsSkippedWithoutBeingHeldAndTheNextRowIsRead() throws Exception {
        Path file = dir.resolve("big.csv");
        byte[] chunk = "x".repeat(1024 * 1024).getBytes(StandardCharsets.US_ASCII);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write("email,note\na@x.com,before\nb@x.com,".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 200; i++) out.write(chunk);
            out.write("\nc@x.com,after\n".getBytes(StandardCharsets.US_ASCII));
        }
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
        List<CsvRow> rows = readAll(file, CsvSource.DEFAULT_MAX_RECORD_CHARS);
        long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;

        // Everything the read held was allocated by this thread: far less than the field, so it was never held.
        assertTrue(allocated < 32L * 1024 * 1024, "allocated " + allocated + " bytes reading a 200 MB field");
        assertEquals(3, rows.size());
        assertEquals(Map.of("email", "a@x.com", "note", "before"), rows.get(0).fields());
        assertTooLong(rows.get(1), 3, 1_048_576);
        assertEquals(Map.of("email", "c@x.com", "note", "after"), rows.get(2).fields());
    }

    @Test
    void snapshotLineRoundTripsAnyValue() throws IOException {
        List<String> values = List.of("a,b", "say \"x\"", "two\nlines", "", "ü");
        assertEquals(values, CsvLine.decode(CsvLine.encode(values)));
    }
}
