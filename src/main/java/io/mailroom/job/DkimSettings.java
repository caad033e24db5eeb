package io.mailroom.job;

import io.mailroom.dkim.DkimKey;
import io.mailroom.dkim.DkimKeyException;
import io.mailroom.dkim.DkimSigner;
import java.io.IOException;
import java.net.IDN;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * How a job signs its messages: the dkim.* keys. The database's settings snapshot keeps them with the key
 * file's path, never the key: the file is read at every run, resume and dry run ({@link #signer}), before anything
 * is planned or sent. {@code headers} are names to sign besides {@link DkimSigner#SIGNED} when present.
 */
public record DkimSettings(String domain, String selector, Path keyFile, List<String> headers) {
    /** Headers a relay adds or rewrites on the way: signing them would break the signature, not protect the message. */
    private static final List<String> NEVER_SIGNED = List.of("dkim-signature", "received", "return-path", "bcc");

    /** The dkim.* keys of {@code f}, or null when it has none; domain, selector and key file go together. */
    static DkimSettings read(JobFile f) throws JobFileException {
        List<String> keys = List.of("dkim.domain", "dkim.selector", "dkim.key.file");
        List<String> missing = new ArrayList<>();
        for (String k : keys) if (f.optional(k, null) == null) missing.add(k);
        if (missing.size() == keys.size()) {
            if (f.optional("dkim.headers", null) != null) throw new JobFileException(f.file() + ": dkim.headers is set but DKIM is not: "
                    + "set dkim.domain, dkim.selector and dkim.key.file to sign");
            return null;
        }
        if (!missing.isEmpty()) {
            throw new JobFileException(f.file() + ": " + String.join(" and ", missing) + " missing: DKIM signing needs dkim.domain (d=),"
                    + " dkim.selector (s=) and dkim.key.file (the PEM private key) together");
        }
        return new DkimSettings(domain(f), selector(f), f.path("dkim.key.file", true), headers(f));
    }

    private static String domain(JobFile f) throws JobFileException {
        String v = f.required("dkim.domain");
        String ascii;
        try {
            ascii = IDN.toASCII(v.endsWith(".") ? v.substring(0, v.length() - 1) : v, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            ascii = null;
        }
        if (ascii == null || !ascii.contains(".") || ascii.length() > 253) {
            throw new JobFileException(f.file() + ": dkim.domain: \"" + v + "\" must be a domain name such as example.com (the d= of the"
                    + " signature, whose DNS holds the selector's public key)");
        }
        return ascii;
    }

    private static String selector(JobFile f) throws JobFileException {
        String v = f.required("dkim.selector");
        boolean labels = v.length() <= 200;
        for (String label : v.split("\\.", -1)) labels &= label.matches("[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
        if (!labels) {
            throw new JobFileException(f.file() + ": dkim.selector: \"" + v + "\" must be DNS labels (letters, digits, '-', dots between),"
                    + " such as mail2026 (the public key is published at SELECTOR._domainkey.DOMAIN)");
        }
        return v;
    }

    private static List<String> headers(JobFile f) throws JobFileException {
        String v = f.optional("dkim.headers", null);
        if (v == null) return List.of();
        List<String> names = new ArrayList<>();
        for (String n : v.split("[,:\\s]+")) {
            if (n.isEmpty()) continue;
            // a field name's printable ASCII but ':', and no ';', which would end the signature's h= tag (RFC 6376 section 3.2)
            if (!n.chars().allMatch(c -> c >= 33 && c <= 126 && c != ':' && c != ';')) {
                throw new JobFileException(f.file() + ": dkim.headers: \"" + n + "\" is not a header name; list names separated by commas,"
                        + " e.g. dkim.headers=In-Reply-To, References");
            }
            if (NEVER_SIGNED.contains(n.toLowerCase(Locale.ROOT))) {
                throw new JobFileException(f.file() + ": dkim.headers: " + n + " cannot be signed: "
                        + (n.equalsIgnoreCase("bcc") ? "it never goes on the wire" : "servers on the way add it, which would break the signature"));
            }
            names.add(n);
        }
        return List.copyOf(names);
    }

    /**
     * The signer for this job: its key file read and checked now. A key that cannot be read, or that holds no usable
     * key (not a private key, encrypted, RSA under 2048 bits), is a configuration error (78), as the issue that
     * brought DKIM has it: the key is part of the job's setup, not its data.
     */
    DkimSigner signer(Clock clock) throws JobFileException {
        DkimKey key;
        try {
            key = DkimKey.read(keyFile);
        } catch (NoSuchFileException e) {
            throw new JobFileException(keyFile + ": DKIM key file not found (dkim.key.file); nothing was sent");
        } catch (IOException e) {
            throw new JobFileException(keyFile + ": cannot read the DKIM key file (dkim.key.file): " + e.getMessage() + "; nothing was sent");
        } catch (DkimKeyException e) {
            throw new JobFileException(e.getMessage() + " (dkim.key.file); nothing was sent");
        }
        return new DkimSigner(domain, selector, key, headers, clock);
    }

    /**
     * Why a message From {@code address} would fail DMARC with this signature (its domain is not dkim.domain nor
     * under it), or null when it aligns.
     */
    String misaligned(String address) {
        String at = address.substring(address.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
        String from;
        try {
            from = IDN.toASCII(at).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            from = at;
        }
        if (from.equals(domain) || from.endsWith("." + domain)) return null;
        return "From: " + address + " is not in dkim.domain=" + domain + " nor a subdomain of it: receivers checking DMARC would reject or"
                + " junk the message (the signature must be the From domain's); sign with that domain's key, or send From an address at " + domain;
    }

    /** The keys as the settings snapshot keeps them. */
    void putInto(Properties p) {
        p.setProperty("dkim.domain", domain);
        p.setProperty("dkim.selector", selector);
        p.setProperty("dkim.key.file", keyFile.toString());
        if (!headers.isEmpty()) p.setProperty("dkim.headers", String.join(", ", headers));
    }
}
