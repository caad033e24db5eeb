package io.mailroom.store;

import io.mailroom.store.DatabaseFileException.Kind;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.function.Consumer;
import org.h2.api.ErrorCode;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.h2.mvstore.MVStoreTool;

/**
 * The H2 file behind a database URL, as mailroom checks it: its name in messages, whether H2 would open its
 * newest state, and which of H2's errors mean the file is damaged or a write to it failed. The one place that
 * knows H2's file format and error codes for these.
 * <p>
 * Why a check before opening: H2 opens the newest state whose chunks are all intact, and when the newest ones
 * are cut off or overwritten it silently opens an older one (a file truncated to its first 9 KB opens as an
 * empty database). For a job that would mean sending again what the lost state recorded as sent. The file's
 * header names the version it last recorded (written after that version's data), so a file that opens at an
 * older version has lost data that was once committed.
 * <p>
 * Why compaction on close ({@link #mostlyDead}, {@link #compact}): with H2's own compaction off (see
 * {@link Store#killSafe}) every commit writes its changed pages into a new chunk, and a chunk stays while any
 * page in it is live, so the file grows far past its data. Measured on 100,000 messages (recorder group commits,
 * one To address each): 3.8 KB a message with commits of 500, 12 KB with commits of 8 (a slow server), of which
 * about 0.75 KB is live data; the copy below leaves 0.5 KB (compressed) and took 2 to 7 s, 30 s for 1,000,000
 * messages (4 GB to 0.5 GB). 30 kills in the middle of it each left a file that opened with every commit.
 */
final class DatabaseFile {
    /** A file with less dead space than this is left as it is when the database closes: not worth the wait. */
    static final long COMPACT_MIN_DEAD = 64L << 20;

    private DatabaseFile() { }

    /** The local .mv.db file of an H2 URL, or null for any other URL (in memory, over TCP, another database). */
    static Path path(String url) {
        Path base = PrivateFiles.h2File(url);
        return base == null ? null : base.resolveSibling(base.getFileName() + ".mv.db");
    }

    /** How the database is named in messages: its file, else its URL with any password masked. */
    static String name(String url) {
        Path p = path(url);
        return p != null ? p.toString() : Database.shown(url);
    }

    /**
     * Throws when the file exists but H2 would not open its newest state: it is empty, not an H2 file, cut short
     * or overwritten. Reads only; a file another process has open was checked by that process.
     */
    static void checkNewestState(String url) throws DatabaseFileException {
        Path file = path(url);
        // an encrypted file cannot be read without its key; H2 checks it when it opens
        if (file == null || !Files.isRegularFile(file) || url.toUpperCase(Locale.ROOT).contains("CIPHER=")) return;
        try {
            if (Files.size(file) == 0) {
                throw new DatabaseFileException(Kind.DAMAGED, file.toString(), "it is empty; if it never held a job, delete it", null);
            }
        } catch (IOException e) {
            return; // H2 reports it when it opens the file
        }
        try (MVStore store = new MVStore.Builder().fileName(file.toString()).readOnly().open()) {
            // the header holds no version until H2 first rewrites it; a newer version than the header's is normal after a kill
            Object inHeader = store.getStoreHeader().get("version");
            long recorded = inHeader == null ? 0 : Long.parseLong(inHeader.toString(), 16);
            if (store.getCurrentVersion() < recorded) {
                throw new DatabaseFileException(Kind.DAMAGED, file.toString(), "truncated or overwritten: its newest records are gone;"
                        + " H2 would open it as of version " + store.getCurrentVersion() + ", not " + recorded, null);
            }
        } catch (MVStoreException e) {
            // open in another process, or in this one: it was checked when it was opened
            if (e.getErrorCode() == DataUtils.ERROR_FILE_LOCKED) return;
            recognise(url, e);
            // anything else: H2 says what it is when it opens the file
        }
    }

    /**
     * Whether closing the open database {@code db} would leave a file that is at least {@code minDead} bytes and
     * at least half pages no version needs any more, by H2's own count; false when {@code db} is not its only
     * session (closing it does not close the file), or the database is no local file or is encrypted.
     */
    static boolean mostlyDead(Connection db, String url, long minDead) {
        if (path(url) == null || url.toUpperCase(Locale.ROOT).contains("CIPHER=")) return false;
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT (SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS),"
                + " (SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'info.FILE_SIZE'),"
                + " (SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'info.FILL_RATE'),"
                + " (SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'info.CHUNKS_FILL_RATE')")) {
            rs.next();
            long size = rs.getLong(2);
            // FILL_RATE: the part of the file in chunks; CHUNKS_FILL_RATE: the part of those chunks still live
            long dead = size - size * rs.getLong(3) / 100 * rs.getLong(4) / 100;
            return rs.getInt(1) == 1 && dead >= minDead && 2 * dead >= size;
        } catch (SQLException e) {
            return false; // a connection that cannot answer is closed as it is; the file is no worse for it
        }
    }

    /**
     * Rewrites the closed database's file with its live data alone, compressed (what H2's SHUTDOWN COMPACT
     * writes), into a copy that is then renamed over it. Never in place: that is the compaction a kill must not
     * interrupt ({@link Store#killSafe}). A kill here leaves the old file whole, plus the copy, which H2 deletes
     * when it next opens the database. The old file stays open read-only until the rename: its lock keeps other
     * processes from opening it (they are told the database is in use), so none writes to a file that is about
     * to be replaced. Best effort: a file another process opened first is left alone; a copy that fails (a full
     * disk, a page H2 cannot read) is removed with a warning, and the file stays as it was.
     */
    static void compact(String url, Consumer<String> notes) {
        Path file = path(url);
        Path copy = file.resolveSibling(file.getFileName() + ".tempFile"); // the name H2 cleans up
        try (MVStore old = new MVStore.Builder().fileName(file.toString()).readOnly().open()) {
            notes.accept("compacting " + file + " (" + Files.size(file) / (1 << 20) + " MB): most of it is space left by earlier commits");
            PrivateFiles.create(copy, notes).close();
            MVStore target = new MVStore.Builder().fileName(copy.toString()).compress().autoCommitDisabled().open();
            try {
                MVStoreTool.compact(old, target);
            } finally {
                target.close();
            }
            try (FileChannel written = FileChannel.open(copy, StandardOpenOption.WRITE)) {
                written.force(true); // the copy's content on disk before its name replaces the file's
            }
            Files.move(copy, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (MVStoreException e) {
            if (e.getErrorCode() != DataUtils.ERROR_FILE_LOCKED) notes.accept("warning: " + file + " could not be compacted: " + rootMessage(e));
        } catch (IOException e) {
            notes.accept("warning: " + file + " could not be compacted: " + rootMessage(e));
        } finally {
            try {
                Files.deleteIfExists(copy);
            } catch (IOException e) {
                // H2 deletes it when it next opens the database
            }
        }
    }

    /**
     * Throws the {@link DatabaseFileException} that {@code e} (or one of its causes) means; returns when it means
     * none. A failed write that leaves the file empty removes it ({@link #removeIfEmpty}).
     */
    static void recognise(String url, Throwable e) throws DatabaseFileException {
        if (e instanceof DatabaseFileException) return;
        int depth = 0;
        for (Throwable t = e; t != null && depth < 20; t = t.getCause(), depth++) {
            String damage = damage(t);
            if (damage != null) throw new DatabaseFileException(Kind.DAMAGED, name(url), damage, e);
            if (t instanceof MVStoreException m && m.getErrorCode() == DataUtils.ERROR_WRITING_FAILED) {
                removeIfEmpty(url);
                throw new DatabaseFileException(Kind.WRITE_FAILED, name(url), rootMessage(m), e);
            }
        }
    }

    /**
     * A database whose very first write failed (H2 made the file, then could not write its header) is left
     * empty, and an empty file is refused as damaged: it goes. An empty file that was there before was refused
     * before anything was written, so an empty one after a failed write is always this process's own.
     */
    private static void removeIfEmpty(String url) {
        Path file = path(url);
        try {
            if (file != null && Files.isRegularFile(file) && Files.size(file) == 0) Files.delete(file);
        } catch (IOException e) {
            // then the next run says it is empty, and what to do
        }
    }

    /** What H2's error says about the file being damaged, or null when it says nothing of that. */
    private static String damage(Throwable t) {
        if (t instanceof SQLException s) {
            if (s.getErrorCode() == ErrorCode.FILE_CORRUPTED_1) return "H2 error " + ErrorCode.FILE_CORRUPTED_1 + ": file corrupted";
            if (s.getErrorCode() == ErrorCode.FILE_VERSION_ERROR_1) return "H2 error " + ErrorCode.FILE_VERSION_ERROR_1 + ": unsupported file format";
            return null;
        }
        if (!(t instanceof MVStoreException m)) return null;
        int code = m.getErrorCode();
        if (code == DataUtils.ERROR_FILE_CORRUPT || code == DataUtils.ERROR_CHUNK_NOT_FOUND || code == DataUtils.ERROR_BLOCK_NOT_FOUND) {
            return m.getMessage().startsWith("Store header is corrupt") ? "its header is not an H2 header" : "H2 found a damaged page";
        }
        if (code == DataUtils.ERROR_UNSUPPORTED_FORMAT) return "a file format this H2 cannot read";
        if (code == DataUtils.ERROR_READING_FAILED) {
            Throwable root = root(m);
            return root instanceof EOFException ? "it ends too early" : "cannot read it: " + rootMessage(m);
        }
        return null;
    }

    private static Throwable root(Throwable t) {
        Throwable root = t;
        for (int depth = 0; root.getCause() != null && depth < 20; depth++) root = root.getCause();
        return root;
    }

    private static String rootMessage(Throwable t) {
        Throwable root = root(t);
        return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }
}
