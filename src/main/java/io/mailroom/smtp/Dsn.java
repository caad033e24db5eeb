package io.mailroom.smtp;

import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What a job asks of delivery status notifications (RFC 3461), the same for every message: which events a
 * recipient's server reports ({@code notifyOn}: empty is NEVER; null leaves NOTIFY out, so the server's default,
 * failures and delays, holds), how much of the message comes back ({@code ret}, null: the server's choice),
 * whether each attempt carries its ENVID, and whether each RCPT names its address as ORCPT. Only a server that
 * offers DSN may get them: a session refuses a message carrying them otherwise, as a bug upstream. The ENVID itself
 * is the attempt's ({@link Mail#envid}).
 */
public record Dsn(Set<Notify> notifyOn, Ret ret, boolean envid, boolean orcpt) {
    public enum Notify { SUCCESS, FAILURE, DELAY }

    public enum Ret { HDRS, FULL }

    /** The longest ENVID a server must take (RFC 3461 section 4.4), counted before xtext encoding. */
    public static final int ENVID_MAX = 100;

    public Dsn {
        notifyOn = notifyOn == null ? null : Set.copyOf(notifyOn);
    }

    /** True when there is nothing to send: no NOTIFY, RET, ENVID or ORCPT. */
    public boolean asksNothing() {
        return notifyOn == null && ret == null && !envid && !orcpt;
    }

    /**
     * NOTIFY's value: "NEVER", or the events in RFC 3461's order; a server takes any order, a fixed one keeps the
     * wire and the stored settings the same from run to run.
     */
    public String notifyValue() {
        if (notifyOn.isEmpty()) return "NEVER";
        return Stream.of(Notify.SUCCESS, Notify.FAILURE, Notify.DELAY).filter(notifyOn::contains).map(Enum::name).collect(Collectors.joining(","));
    }

    /** " RET=… ENVID=…" for MAIL FROM, or "" ({@code envid} null: this attempt has none). */
    String mailParameters(String envid) {
        StringBuilder p = new StringBuilder();
        if (ret != null) p.append(" RET=").append(ret.name());
        if (envid != null) p.append(" ENVID=").append(Xtext.encode(envid));
        return p.toString();
    }

    /** " NOTIFY=…" for every RCPT TO, or "". */
    String notifyParameter() {
        return notifyOn == null ? "" : " NOTIFY=" + notifyValue();
    }

    /**
     * " ORCPT=…" naming {@code address}: rfc822 and xtext for an ASCII address; for an internationalized one (it goes
     * only with SMTPUTF8) the utf-8 type of RFC 6533 in its utf-8-addr-unitext form, UTF-8 as it is and "+", "=" and
     * "\" as \x{HEX}. "" when the job asks for no ORCPT.
     */
    String orcptParameter(String address) {
        if (!orcpt) return "";
        if (!Addresses.isInternationalized(address)) return " ORCPT=rfc822;" + Xtext.encode(address);
        StringBuilder out = new StringBuilder(" ORCPT=utf-8;");
        address.codePoints().forEach(c -> {
            boolean plain = c > 0x20 && c != 0x7f && c != '+' && c != '=' && c != '\\';
            if (plain) out.appendCodePoint(c);
            else out.append("\\x{").append(Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT)).append('}');
        });
        return out.toString();
    }
}
