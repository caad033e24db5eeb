package io.mailroom.job;

import io.mailroom.smtp.Dsn;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;

/**
 * The dsn.* keys of a job file: what the job asks of delivery status notifications (RFC 3461). Without any of them
 * nothing is asked and nothing changes on the wire; with any of them, each attempt carries its ENVID and each RCPT
 * its ORCPT unless dsn.envid or dsn.orcpt says false, as both only help tell a report's message and address apart.
 */
final class DsnSettings {
    private DsnSettings() { }

    /** The job's DSN request, or null when it sets no dsn.* key (or turns off all there is to send). */
    static Dsn read(JobFile f) throws JobFileException {
        if (JobFile.KEYS.stream().noneMatch(k -> k.startsWith("dsn.") && f.optional(k, null) != null)) return null;
        String ret = f.optional("dsn.ret", null);
        Dsn dsn = new Dsn(notify(f), ret == null ? null : ret(f, ret), f.optional("dsn.envid", null) == null || f.bool("dsn.envid"),
                f.optional("dsn.orcpt", null) == null || f.bool("dsn.orcpt"));
        return dsn.asksNothing() ? null : dsn;
    }

    /** never, or a comma list of success, failure and delay; null when dsn.notify is not set. */
    private static Set<Dsn.Notify> notify(JobFile f) throws JobFileException {
        String v = f.optional("dsn.notify", null);
        if (v == null) return null;
        Set<Dsn.Notify> events = EnumSet.noneOf(Dsn.Notify.class);
        boolean never = false;
        for (String word : v.split(",", -1)) {
            String w = word.strip().toLowerCase(Locale.ROOT);
            switch (w) {
                case "never" -> never = true;
                case "success" -> events.add(Dsn.Notify.SUCCESS);
                case "failure" -> events.add(Dsn.Notify.FAILURE);
                case "delay" -> events.add(Dsn.Notify.DELAY);
                default -> throw new JobFileException(f.file() + ": dsn.notify: \"" + v + "\" must be never, or one or more of success, failure"
                        + " and delay separated by commas (e.g. failure,delay)" + (w.isEmpty() ? "" : "; \"" + word.strip() + "\" is none of them"));
            }
        }
        if (never && !events.isEmpty()) {
            throw new JobFileException(f.file() + ": dsn.notify: \"" + v + "\": never asks for no report at all, so it stands alone; write"
                    + " dsn.notify=never, or list the events wanted without it");
        }
        return events;
    }

    private static Dsn.Ret ret(JobFile f, String v) throws JobFileException {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "hdrs" -> Dsn.Ret.HDRS;
            case "full" -> Dsn.Ret.FULL;
            default -> throw new JobFileException(f.file() + ": dsn.ret: \"" + v + "\" must be hdrs (a report returns the message's headers)"
                    + " or full (the whole message)");
        };
    }

    /** The keys as the settings snapshot keeps them; none for a job that asks nothing, so its snapshot is as before. */
    static void putInto(Dsn dsn, Properties p) {
        if (dsn == null) return;
        if (dsn.notifyOn() != null) p.setProperty("dsn.notify", dsn.notifyValue().toLowerCase(Locale.ROOT));
        if (dsn.ret() != null) p.setProperty("dsn.ret", dsn.ret().name().toLowerCase(Locale.ROOT));
        p.setProperty("dsn.envid", String.valueOf(dsn.envid()));
        p.setProperty("dsn.orcpt", String.valueOf(dsn.orcpt()));
    }
}
