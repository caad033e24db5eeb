package io.mailroom.job;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Attachments and inline images read from the template's folder, and nothing outside it. A file's name comes
 * from the rendered template, so a CSV value can be part of it: it is checked once as a name ({@link #name}:
 * '/'-separated segments, no '\', no absolute path, no "..") and then its real path, with every symbolic
 * link resolved, must still be inside the folder and be a regular file (not a folder, device or pipe).
 * At most {@code maxBytes + 1} bytes are read, so /proc files and growing files can't exhaust memory
 * either. Each refusal is the row's problem; the job goes on. Its reason starts with the file's name in quotes:
 * the caller says what the file was for ({@code Attachment: }, {@code Inline image (cid:): }). The job's secrets
 * (its DKIM key, its password files) are never sent, even when they lie in the folder.
 */
final class AttachmentFolder implements AttachmentFiles {
    /** What the job's snapshot can hold as an attachment's name. */
    static final int LONGEST_NAME = 1000;

    private final Path folder;
    /** The files no message may carry, as named in the job file (compared by real path when read). */
    private final List<Path> secrets;

    AttachmentFolder(Path folder, List<Path> secrets) {
        this.folder = folder;
        this.secrets = List.copyOf(secrets);
    }

    /** The folder of {@code spec}'s template, keeping back the secret files the job names. */
    static AttachmentFolder of(JobSpec spec) {
        SendSettings send = spec.send();
        List<Path> secrets = new ArrayList<>();
        if (send.dkim() != null) secrets.add(send.dkim().keyFile());
        if (send.passwordFile() != null) secrets.add(send.passwordFile());
        send.bounces().map(BounceSettings::passwordFile).ifPresent(secrets::add);
        return new AttachmentFolder(spec.template().getParent(), secrets);
    }

    /** The name as it is stored and looked up: segments joined by '/', "." segments dropped. */
    static String name(String written) throws RowProblem {
        String refused = written.isEmpty() ? "is empty"
                : written.indexOf('\\') >= 0 ? "contains '\\'; separate folders with '/'"
                : written.startsWith("/") || written.matches("(?s)[A-Za-z]:.*") ? "is an absolute path"
                : written.chars().anyMatch(Character::isISOControl) ? "contains a control character"
                : written.length() > LONGEST_NAME ? "is longer than " + LONGEST_NAME + " characters"
                : null;
        List<String> segments = new ArrayList<>();
        for (String s : written.split("/")) {
            if (s.equals("..") && refused == null) refused = "contains \"..\"";
            if (!s.isEmpty() && !s.equals(".")) segments.add(s);
        }
        if (refused == null && segments.isEmpty()) refused = "names no file";
        if (refused != null) throw new RowProblem("\"" + written + "\" " + refused + "; it must be a file inside the template's folder,"
                + " named relative to it");
        return String.join("/", segments);
    }

    @Override
    public byte[] read(String name, long maxBytes) throws IOException, RowProblem {
        Path inside = folder.toRealPath();
        Path real;
        try {
            real = inside.resolve(name).toRealPath();
        } catch (NoSuchFileException e) {
            return null;
        }
        if (!real.startsWith(inside)) {
            throw new RowProblem("\"" + name + "\" leads outside the template's folder (through a symbolic link)");
        }
        BasicFileAttributes file = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!file.isRegularFile()) {
            throw new RowProblem("\"" + name + "\" is " + (file.isDirectory() ? "a folder" : "not a regular file") + ", not a file to send");
        }
        for (Path secret : secrets) {
            if (Files.exists(secret) && Files.isSameFile(secret, real)) {
                throw new RowProblem("\"" + name + "\" is a secret of the job (its DKIM key or a password file) and is never sent");
            }
        }
        if (file.size() > maxBytes) throw new RowProblem(Composer.tooLarge(name, file.size(), maxBytes));
        try (InputStream in = Files.newInputStream(real, LinkOption.NOFOLLOW_LINKS)) {
            byte[] content = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (content.length > maxBytes) throw new RowProblem(Composer.tooLarge(name, content.length, maxBytes));
            return content;
        }
    }
}
