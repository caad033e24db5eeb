package io.mailroom.store;

import io.mailroom.store.DatabaseFileException.Kind;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Locale;
import org.h2.api.ErrorCode;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;

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
 */
final class DatabaseFile {
    private DatabaseFile() { }

    /** The local .mv.db file of an H2 URL, or null for any other URL (in memory, over TCP, another database). */
    static Path path(String url) {
        Path base = PrivateFiles.h2File(url);
        return base == null ? null : base.resolveSibling(base.getFileName() + ".mv.db");
    }

    /** How the database is named in messages: its file, else its URL with any password masked. */
    static String name(String url) {
        Path p = path(url);
        return p != null ? p.toString() : Store.shown(url);
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
