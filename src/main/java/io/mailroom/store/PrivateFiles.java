package io.mailroom.store;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Everything mailroom writes that holds recipient data — the database, preview and sandbox messages,
 * report files — is readable by its owner alone, whatever the umask: folders it creates 0700, files it
 * creates 0600, both created with those modes rather than narrowed afterwards. What already exists is
 * treated by whose it is: the database's own folder and files (H2's, by name) are tightened with a note;
 * a folder the user named is left as it is, with a warning if others can read it; devices such as
 * /dev/stdout are written as they are. Symbolic links are never followed to change a mode. On a file
 * system without POSIX modes nothing is changed.
 */
public final class PrivateFiles {
    private static final Set<PosixFilePermission> FOLDER = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    /**
     * The files H2 keeps beside a database named x: x.mv.db, x.trace.db, x.lock.db, and x.mv.db.* while compacting;
     * and mailroom's flight journals, x.JOB.flight.
     */
    private static final List<String> H2_SUFFIXES = List.of("mv.db", "trace.db", "lock.db");

    private PrivateFiles() { }

    /**
     * Creates the folder (and any missing parent) private; an existing one is kept, with a warning if others can read it.
     * A file on its path, or a folder the system will not make, is a {@link PathException} naming it.
     */
    public static Path folder(Path dir, Consumer<String> notes) throws IOException {
        return folder(dir, dir, notes);
    }

    private static Path folder(Path dir, Path wanted, Consumer<String> notes) throws IOException {
        if (Files.isDirectory(dir)) {
            PosixFileAttributes a = attributes(dir);
            if (a != null && !FOLDER.containsAll(a.permissions())) {
                notes.accept("warning: " + dir + " is " + PosixFilePermissions.toString(a.permissions()) + ": other users can list the"
                        + " files mailroom writes there, whose names show addresses (the files themselves are private)");
            }
            return dir;
        }
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) folder(parent, wanted, notes);
        try {
            return posix(parent) ? Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(FOLDER)) : Files.createDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            // made by another process meanwhile; anything else in its place is no folder, however often we look
            if (Files.isDirectory(dir)) return folder(dir, wanted, notes);
            String what = dir + (Files.isRegularFile(dir) ? " is a file, not a folder" : " is there and is not a folder");
            throw new PathException(dir.equals(wanted) ? what : "cannot make the folder " + wanted + ": " + what, e);
        } catch (java.nio.file.FileSystemException e) {
            throw new PathException("cannot make the folder " + wanted + ": " + why(e), e);
        }
    }

    /**
     * What the system said when a file or folder could not be made, in words: not the bare path that
     * {@link java.nio.file.NoSuchFileException} carries as its message.
     */
    public static String why(java.nio.file.FileSystemException e) {
        if (e instanceof java.nio.file.AccessDeniedException) return "permission denied";
        Path p = e.getFile() == null ? null : Path.of(e.getFile()).toAbsolutePath().getParent();
        if (e instanceof java.nio.file.NoSuchFileException && p != null && Files.isDirectory(p)) {
            return p + " takes no new files (a system folder such as /proc or /sys)";
        }
        return e.getReason() != null ? e.getReason().toLowerCase(Locale.ROOT) : e.getClass().getSimpleName();
    }

    /** Opens {@code file} for writing from its start: a new file is created 0600, an existing regular file of the user's tightened. */
    public static OutputStream create(Path file, Consumer<String> notes) throws IOException {
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) tighten(file, FILE, notes);
            return Files.newOutputStream(file, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        }
        if (!posix(file.toAbsolutePath().getParent())) return Files.newOutputStream(file, StandardOpenOption.CREATE_NEW);
        return Channels.newOutputStream(Files.newByteChannel(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(FILE)));
    }

    /** Writes {@code content} to a new private file. */
    public static void write(Path file, byte[] content, Consumer<String> notes) throws IOException {
        try (OutputStream out = create(file, notes)) {
            out.write(content);
        }
    }

    /**
     * For an H2 file database: its folder made private when it is the database's own (it holds nothing
     * but the database's files: ./.mailroom/), its file created private before H2 opens it, and its other
     * files (trace, lock) tightened. Other kinds of database are left to their server. True when its file was
     * made here: the database is new.
     */
    static boolean database(String url, Consumer<String> notes) throws IOException {
        Path base = h2File(url);
        if (base == null) return false;
        Path dir = base.getParent();
        String name = base.getFileName().toString();
        if (!Files.isDirectory(dir)) {
            folder(dir, notes);
        } else if (onlyDatabaseFiles(dir, name)) {
            tighten(dir, FOLDER, notes);
        }
        Path data = dir.resolve(name + ".mv.db");
        boolean made = !Files.exists(data, LinkOption.NOFOLLOW_LINKS);
        if (made) {
            try {
                create(data, notes).close();
            } catch (java.nio.file.FileSystemException e) {
                throw new PathException("cannot make the database file " + data + ": " + why(e), e);
            }
        }
        tightenDatabaseFiles(url, notes);
        return made;
    }

    /** The database's files tightened; after H2 has had it open, this catches a trace file it made meanwhile. */
    static void tightenDatabaseFiles(String url, Consumer<String> notes) throws IOException {
        Path base = h2File(url);
        if (base == null) return;
        for (Path f : databaseFiles(base.getParent(), base.getFileName().toString())) {
            if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) tighten(f, FILE, notes);
        }
    }

    private static boolean onlyDatabaseFiles(Path dir, String name) throws IOException {
        try (Stream<Path> all = Files.list(dir)) {
            long count = all.count();
            return count > 0 && count == databaseFiles(dir, name).size();
        }
    }

    private static List<Path> databaseFiles(Path dir, String name) throws IOException {
        try (Stream<Path> all = Files.list(dir)) {
            return all.filter(f -> isDatabaseFile(f.getFileName().toString(), name)).toList();
        }
    }

    private static boolean isDatabaseFile(String file, String name) {
        return H2_SUFFIXES.stream().anyMatch(s -> file.equals(name + "." + s)) || file.startsWith(name + ".mv.db.")
                || file.startsWith(name + ".") && (file.endsWith(".flight") || file.endsWith(".flight.new"));
    }

    /**
     * The path H2 adds ".mv.db" to, for a plain file URL (jdbc:h2:./x, jdbc:h2:file:~/x); null for any other
     * kind. The one reading of an H2 URL as a file ({@link DatabaseFile} names and checks the same file).
     */
    static Path h2File(String url) {
        if (!url.regionMatches(true, 0, "jdbc:h2:", 0, 8)) return null;
        String rest = url.substring(8);
        int options = rest.indexOf(';');
        if (options >= 0) rest = rest.substring(0, options);
        if (rest.toLowerCase(Locale.ROOT).startsWith("file:")) rest = rest.substring(5);
        if (rest.isEmpty() || rest.matches("(?s)[A-Za-z][A-Za-z0-9]+:.*")) return null; // mem:, tcp:, ssl:, zip:, other file systems
        if (rest.equals("~") || rest.startsWith("~/")) rest = System.getProperty("user.home") + rest.substring(1);
        return Path.of(rest).toAbsolutePath().normalize();
    }

    /** Narrows a mode to {@code wanted}, saying so; one that can't be changed (not the user's) is warned about instead. */
    private static void tighten(Path p, Set<PosixFilePermission> wanted, Consumer<String> notes) throws IOException {
        PosixFileAttributes a = attributes(p);
        if (a == null || wanted.containsAll(a.permissions())) return;
        String was = PosixFilePermissions.toString(a.permissions());
        try {
            Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setPermissions(wanted);
            notes.accept(p + " was " + was + ", readable by others; made " + PosixFilePermissions.toString(wanted) + " (it holds recipients' data)");
        } catch (java.nio.file.FileSystemException e) {
            notes.accept("warning: " + p + " is " + was + ", readable by others, and could not be made private: " + e.getMessage());
        }
    }

    private static PosixFileAttributes attributes(Path p) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        return view == null ? null : view.readAttributes();
    }

    private static boolean posix(Path folder) {
        return folder != null && Files.getFileAttributeView(folder, PosixFileAttributeView.class) != null;
    }
}
