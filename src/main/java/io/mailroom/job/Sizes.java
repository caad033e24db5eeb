package io.mailroom.job;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sizes as the job file writes them: 500KB, 25MB, 1GB (1024s, as relays count), or plain bytes. */
final class Sizes {
    private static final Pattern SIZE = Pattern.compile("(\\d{1,10})\\s*(b|kb|k|mb|m|gb|g)?");

    private Sizes() { }

    /** The size in bytes, or -1 when {@code v} is not a size. */
    static long parse(String v) {
        Matcher m = SIZE.matcher(v.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) return -1;
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2);
        return switch (unit.charAt(0)) {
            case 'k' -> n << 10;
            case 'm' -> n << 20;
            case 'g' -> n << 30;
            default -> n;
        };
    }

    /** A size as a person reads it: 812 bytes, 3.2 KB, 25 MB. */
    static String human(long bytes) {
        if (bytes < 1024) return bytes + " bytes";
        String[] units = {"KB", "MB", "GB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return (v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.1f", v)) + " " + units[u];
    }
}
