package io.mailroom.send;

import io.mailroom.smtp.Exchange;
import io.mailroom.smtp.SmtpReply;
import io.mailroom.smtp.Step;
import io.mailroom.store.Outcome;
import io.mailroom.store.RecipientStatus;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The flight journal: an append-only file beside the database saying, for one run, whose final "." was
 * about to be written ({@link Dot}) and what the server then said ({@link Reply}). Each record is one
 * {@code write()}: once it returns, the record is in the kernel and survives a kill of the process, as a
 * committed H2 transaction does; neither survives a power cut. The store learns the same outcomes later, in
 * group commits off the send path; the next start replays what it missed: a reply settles its attempt, a
 * bare dot makes its addresses unknown, and an attempt with no dot never reached the server and stays due.
 * <p>
 * Layout: a header (magic line, then the token of the database it belongs to), then records, each a
 * length, a CRC-32 and the payload. A torn last record (a kill mid-write) fails its check and is ignored.
 * Records of attempts the store has are dropped now and then by rewriting the file with the others
 * ({@link #settled}), so the file stays small however long the run.
 */
final class FlightJournal implements AutoCloseable {
    private static final byte[] MAGIC = "mailroom flight journal 1\n".getBytes(StandardCharsets.US_ASCII);
    private static final long REWRITE_AT = 4L << 20;

    /**
     * The final "." of attempt {@code flightNo} of run {@code runId} is about to be written: the ENVID it was sent
     * with (null: none), what its addresses become if no reply is read (the accepted ones unknown, the refused ones
     * keep their verdict), and the replies so far.
     */
    record Dot(long runId, int flightNo, long recipientId, String sessionId, Instant startedAt, String envid, Map<Integer, Outcome> ifUnanswered,
               List<Exchange> replies) { }

    /** The server's verdict on that attempt: each carried address's outcome and every reply of the transaction. */
    record Reply(int flightNo, Instant finishedAt, Map<Integer, Outcome> outcomes, List<Exchange> exchanges) { }

    /** What the journal says of one attempt: its dot, and its reply if one was read. */
    record Flight(Dot dot, Reply reply) { }

    private final Path file;
    private final String token;
    private FileChannel channel;
    private long size;
    /** The records of each attempt the store does not have yet, by flight number: what a rewrite keeps. */
    private final Map<Integer, List<byte[]>> unsettled = new LinkedHashMap<>();

    private FlightJournal(Path file, String token) {
        this.file = file;
        this.token = token;
    }

    /** A new, empty journal at {@code file} (replacing any), for the database whose token is {@code token}. */
    static FlightJournal create(Path file, String token) throws IOException {
        FlightJournal j = new FlightJournal(file, token);
        j.rewrite();
        return j;
    }

    /**
     * The attempts an earlier run's journal at {@code file} names, in order; empty when there is none.
     * Refuses a file that is not a journal or belongs to another database.
     */
    static List<Flight> read(Path file, String token) throws IOException, JournalException {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        if (all.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(all, MAGIC.length), MAGIC)) {
            throw new JournalException(JournalException.Kind.NOT_OURS, file, "it is not a mailroom flight journal");
        }
        ByteBuffer in = ByteBuffer.wrap(all, MAGIC.length, all.length - MAGIC.length);
        String owner = in.remaining() < 2 ? null : utf(in);
        if (!token.equals(owner)) throw new JournalException(JournalException.Kind.NOT_OURS, file, "it belongs to another database");
        Map<Integer, Dot> dots = new LinkedHashMap<>();
        Map<Integer, Reply> replies = new LinkedHashMap<>();
        byte[] payload;
        while ((payload = nextRecord(in)) != null) {
            DataInputStream d = new DataInputStream(new java.io.ByteArrayInputStream(payload));
            if (d.readByte() == 'D') {
                Dot dot = readDot(d);
                dots.put(dot.flightNo(), dot);
            } else {
                Reply r = readReply(d);
                replies.put(r.flightNo(), r);
            }
        }
        List<Flight> out = new ArrayList<>();
        for (Dot dot : dots.values()) out.add(new Flight(dot, replies.get(dot.flightNo())));
        return out;
    }

    /** Records that attempt's final "." goes out next. */
    synchronized void dot(Dot d) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeByte('D');
        out.writeLong(d.runId());
        out.writeInt(d.flightNo());
        out.writeLong(d.recipientId());
        out.writeUTF(d.sessionId());
        out.writeLong(d.startedAt().toEpochMilli());
        writeOutcomes(out, d.ifUnanswered());
        writeExchanges(out, d.replies());
        // last, so that a journal an older version left (no ENVID) reads the same
        writeText(out, d.envid());
        List<byte[]> records = new ArrayList<>(2);
        unsettled.put(d.flightNo(), records);
        append(records, bytes.toByteArray());
    }

    /** Records the verdict on an attempt whose dot was recorded. */
    synchronized void reply(Reply r) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeByte('R');
        out.writeInt(r.flightNo());
        out.writeLong(r.finishedAt().toEpochMilli());
        writeOutcomes(out, r.outcomes());
        writeExchanges(out, r.exchanges());
        List<byte[]> records = unsettled.get(r.flightNo());
        if (records == null) throw new IllegalStateException("flight " + r.flightNo() + " has a reply but no dot");
        append(records, bytes.toByteArray());
    }

    /** The store now has these attempts: a large file is rewritten with only the records of the others. */
    synchronized void settled(Collection<Integer> flights) throws IOException {
        for (int f : flights) unsettled.remove(f);
        if (size > REWRITE_AT) rewrite();
    }

    /** True when every attempt journaled is in the store: the file can go. */
    synchronized boolean isSettled() {
        return unsettled.isEmpty();
    }

    synchronized void delete() throws IOException {
        close();
        Files.deleteIfExists(file);
    }

    @Override
    public synchronized void close() throws IOException {
        if (channel != null) channel.close();
        channel = null;
    }

    private void append(List<byte[]> records, byte[] payload) throws IOException {
        byte[] framed = frame(payload);
        records.add(framed);
        writeFully(channel, framed);
        size += framed.length;
    }

    /** Writes the header and the unsettled records to a new file, then puts it in place of the old one in one rename. */
    private void rewrite() throws IOException {
        Path next = file.resolveSibling(file.getFileName() + ".new");
        try (FileChannel out = FileChannel.open(next, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            ByteArrayOutputStream header = new ByteArrayOutputStream();
            header.write(MAGIC);
            new DataOutputStream(header).writeUTF(token);
            long written = writeFully(out, header.toByteArray());
            for (List<byte[]> records : unsettled.values()) {
                for (byte[] r : records) written += writeFully(out, r);
            }
            size = written;
        }
        Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (channel != null) channel.close();
        channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    private static long writeFully(FileChannel out, byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) out.write(b);
        return bytes.length;
    }

    private static byte[] frame(byte[] payload) {
        CRC32 crc = new CRC32();
        crc.update(payload);
        return ByteBuffer.allocate(8 + payload.length).putInt(payload.length).putInt((int) crc.getValue()).put(payload).array();
    }

    /** The next whole record's payload; null at the end or at a torn or damaged record (nothing after it can be trusted). */
    private static byte[] nextRecord(ByteBuffer in) {
        if (in.remaining() < 8) return null;
        int length = in.getInt();
        int expected = in.getInt();
        if (length < 1 || length > in.remaining()) return null;
        byte[] payload = new byte[length];
        in.get(payload);
        CRC32 crc = new CRC32();
        crc.update(payload);
        return (int) crc.getValue() == expected ? payload : null;
    }

    private static String utf(ByteBuffer in) {
        int length = Short.toUnsignedInt(in.getShort());
        if (length > in.remaining()) return null;
        byte[] b = new byte[length];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static Dot readDot(DataInputStream in) throws IOException {
        long runId = in.readLong();
        int flightNo = in.readInt();
        long recipientId = in.readLong();
        String session = in.readUTF();
        Instant started = Instant.ofEpochMilli(in.readLong());
        Map<Integer, Outcome> ifUnanswered = readOutcomes(in);
        List<Exchange> replies = readExchanges(in);
        String envid = in.available() > 0 ? readText(in) : null;
        return new Dot(runId, flightNo, recipientId, session, started, envid, ifUnanswered, replies);
    }

    private static Reply readReply(DataInputStream in) throws IOException {
        int flightNo = in.readInt();
        Instant finished = Instant.ofEpochMilli(in.readLong());
        return new Reply(flightNo, finished, readOutcomes(in), readExchanges(in));
    }

    private static void writeOutcomes(DataOutputStream out, Map<Integer, Outcome> outcomes) throws IOException {
        out.writeInt(outcomes.size());
        for (var e : outcomes.entrySet()) {
            Outcome o = e.getValue();
            out.writeInt(e.getKey());
            out.writeUTF(o.status().label());
            writeReply(out, o.reply());
            writeText(out, o.failure());
            out.writeLong(o.notBefore() == null ? Long.MIN_VALUE : o.notBefore().toEpochMilli());
        }
    }

    private static Map<Integer, Outcome> readOutcomes(DataInputStream in) throws IOException {
        Map<Integer, Outcome> outcomes = new LinkedHashMap<>();
        for (int i = in.readInt(); i > 0; i--) {
            int seq = in.readInt();
            RecipientStatus status = RecipientStatus.of(in.readUTF());
            SmtpReply reply = readSmtpReply(in);
            String failure = readText(in);
            long notBefore = in.readLong();
            outcomes.put(seq, new Outcome(status, reply, failure, notBefore == Long.MIN_VALUE ? null : Instant.ofEpochMilli(notBefore)));
        }
        return outcomes;
    }

    private static void writeExchanges(DataOutputStream out, List<Exchange> exchanges) throws IOException {
        out.writeInt(exchanges.size());
        for (Exchange x : exchanges) {
            out.writeUTF(x.step().name());
            writeText(out, x.argument());
            writeReply(out, x.reply());
        }
    }

    private static List<Exchange> readExchanges(DataInputStream in) throws IOException {
        List<Exchange> exchanges = new ArrayList<>();
        for (int i = in.readInt(); i > 0; i--) exchanges.add(new Exchange(Step.valueOf(in.readUTF()), readText(in), readSmtpReply(in)));
        return exchanges;
    }

    /** A reply: code (0 for none), enhanced code, text; texts are cut to what the store keeps. */
    private static void writeReply(DataOutputStream out, SmtpReply r) throws IOException {
        out.writeShort(r == null ? 0 : r.code());
        if (r == null) return;
        writeText(out, r.enhanced());
        writeText(out, r.text());
    }

    private static SmtpReply readSmtpReply(DataInputStream in) throws IOException {
        int code = in.readShort();
        if (code == 0) return null;
        String enhanced = readText(in);
        String text = readText(in);
        return new SmtpReply(code, enhanced, List.of(text.split("\n", -1)));
    }

    private static void writeText(DataOutputStream out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) out.writeUTF(s.length() <= 4000 ? s : s.substring(0, 3997) + "...");
    }

    private static String readText(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }
}
