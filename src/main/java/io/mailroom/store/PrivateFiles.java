package io.mailroom.store;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Everything mailroom writes that holds recipient data — the database, preview and sandbox messages,
 * report files — is readable by its owner alone, whatever the umask: folders 0700, files 0600. Files are
 * created with those modes, never created open and narrowed later, so there is no moment another local
 * user could open them. Anything that already existed more open is tightened and a note says so. On a
 * file system without POSIX modes nothing is changed.
 */
public final class PrivateFiles {
    private static final Set<PosixFilePermission> FOLDER = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private PrivateFiles() { }

    /** Creates the folder (and any missing parent) private, or tightens the folder itself if it exists. */
    public static Path folder(Path dir, Consumer<String> notes) throws IOException {
        if (!Files.isDirectory(dir)) {
            if (dir.getParent() != null && !Files.isDirectory(dir.getParent())) folder(dir.getParent(), notes);
            try {
                if (posix(dir.toAbsolutePath().getParent())) {
                    return Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(FOLDER));
                }
                return Files.createDirectory(dir);
            } catch (FileAlreadyExistsException e) {
                // made meanwhile by someone else: tightened below like any existing folder
            }
        }
        tighten(dir, FOLDER, notes);
        return dir;
    }

    /** Opens {@code file} for writing from its start, creating it 0600 (an existing one is tightened first). */
    public static OutputStream create(Path file, Consumer<String> notes) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (Files.exists(file)) tighten(file, FILE, notes);
        else if (posix(parent)) Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE));
        return Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    }

    /** Writes {@code content} to a new private file. */
    public static void write(Path file, byte[] content, Consumer<String> notes) throws IOException {
        try (OutputStream out = create(file, notes)) {
            out.write(content);
        }
    }

    /**
     * For an H2 file database: its folder made private when it is the database's own (it holds nothing
     * else: ./.mailroom/), its file created private before H2 opens it, and its other files (trace, lock)
     * tightened. Other databases are left to their server.
     */
    static void database(String url, Consumer<String> notes) throws IOException {
        Path base = h2File(url);
        if (base == null) return;
        Path dir = base.toAbsolutePath().getParent();
        String prefix = base.getFileName() + ".";
        boolean ownFolder = !Files.isDirectory(dir);
        if (!ownFolder) {
            try (Stream<Path> files = Files.list(dir)) {
                List<String> names = files.map(f -> f.getFileName().toString()).toList();
                ownFolder = !names.isEmpty() && names.stream().allMatch(n -> n.startsWith(prefix));
            }
        }
        if (ownFolder) folder(dir, notes);
        Path data = dir.resolve(prefix + "mv.db");
        if (!Files.exists(data)) create(data, notes).close();
        databaseFiles(dir, prefix, notes);
    }

    /** After H2 has had the database open: the files it made meanwhile (a trace file) tightened too. */
    static void databaseFilesAgain(String url) throws IOException {
        Path base = h2File(url);
        if (base != null) databaseFiles(base.toAbsolutePath().getParent(), base.getFileName() + ".", note -> { });
    }

    private static void databaseFiles(Path dir, String prefix, Consumer<String> notes) throws IOException {
        List<Path> files;
        try (Stream<Path> all = Files.list(dir)) {
            files = all.filter(f -> f.getFileName().toString().startsWith(prefix) && Files.isRegularFile(f)).toList();
        }
        for (Path f : files) tighten(f, FILE, notes);
    }

    /** The path H2 adds ".mv.db" to, for a file URL (jdbc:h2:./x, jdbc:h2:file:~/x); null for any other kind. */
    static Path h2File(String url) {
        if (!url.regionMatches(true, 0, "jdbc:h2:", 0, 8)) return null;
        String rest = url.substring(8);
        int options = rest.indexOf(';');
        if (options >= 0) rest = rest.substring(0, options);
        if (rest.toLowerCase(Locale.ROOT).startsWith("file:")) rest = rest.substring(5);
        if (rest.isEmpty() || rest.matches("(?s)[A-Za-z]{2,}:.*")) return null;
        if (rest.equals("~") || rest.startsWith("~/")) rest = System.getProperty("user.home") + rest.substring(1);
        return Path.of(rest).toAbsolutePath().normalize();
    }

    private static void tighten(Path p, Set<PosixFilePermission> wanted, Consumer<String> notes) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
        if (view == null) return;
        Set<PosixFilePermission> now = view.readAttributes().permissions();
        if (wanted.containsAll(now)) return;
        view.setPermissions(wanted);
        notes.accept(p + " was " + PosixFilePermissions.toString(now) + ", readable by others; made " + PosixFilePermissions.toString(wanted)
                + " (it holds recipients' data)");
    }

    private static boolean posix(Path folder) {
        return folder != null && Files.getFileAttributeView(folder, PosixFileAttributeView.class) != null;
    }
}
