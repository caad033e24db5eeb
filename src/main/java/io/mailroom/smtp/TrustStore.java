package io.mailroom.smtp;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.security.auth.x500.X500Principal;

/**
 * Builds the TLS context: the system's trusted CAs, plus the certificates of the job's {@code smtp.trust}
 * PEM file when given. Chain, validity and host-name checks always run; there is no switch to turn them off.
 * The bounce mailbox's connections use it too, with their own keys ({@code bounces.trust}, {@code bounces.host}).
 */
public final class TrustStore {
    private TrustStore() { }

    static SSLContext context(Path extraPem) throws IOException, GeneralSecurityException {
        return context(extraPem, "smtp");
    }

    /** {@code keys} is the prefix of the job-file keys the refusals name: {@code smtp} or {@code bounces} (.trust, .host). */
    public static SSLContext context(Path extraPem, String keys) throws IOException, GeneralSecurityException {
        List<X509ExtendedTrustManager> managers = new ArrayList<>();
        managers.add(managerFor(null));
        if (extraPem != null) managers.add(managerFor(load(extraPem)));
        SSLContext context = SSLContext.getInstance("TLS");
        String vouchers = extraPem == null ? "the system's CAs do not vouch for it"
                : "neither the system's CAs nor " + keys + ".trust (" + extraPem + ") vouch for it";
        context.init(null, new TrustManager[] {new AnyOf(managers, vouchers, keys)}, null);
        return context;
    }

    /** A server certificate refused, in words for the user that say why and what to do. */
    public static final class Refused extends CertificateException {
        Refused(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static KeyStore load(Path pem) throws IOException, GeneralSecurityException {
        Collection<? extends Certificate> certs;
        try (InputStream in = Files.newInputStream(pem)) {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (CertificateException e) {
            // the JDK's words here name its own exceptions ("Could not parse certificate: java.io.IOException: …")
            throw new CertificateException(pem + " is not a PEM certificate file (one or more -----BEGIN CERTIFICATE----- blocks)", e);
        }
        if (certs.isEmpty()) throw new CertificateException(pem + " contains no certificate");
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        int i = 0;
        for (Certificate c : certs) store.setCertificateEntry("trusted-" + i++, c);
        return store;
    }

    private static X509ExtendedTrustManager managerFor(KeyStore store) throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509ExtendedTrustManager x) return x;
        }
        throw new GeneralSecurityException("no X509 trust manager available");
    }

    /**
     * Trusts a server when any delegate does; each delegate checks the chain and the host name. When all
     * refuse, the reason reported is that of a delegate that trusts the chain by itself (so what it refused
     * is the host name): the first delegate, the system's CAs, would otherwise always blame the chain.
     * Failing that, a certificate of the chain out of its validity period is named, else the chain is
     * untrusted: the JDK's "PKIX path building failed" says neither which certificate nor what to do.
     */
    private static final class AnyOf extends X509ExtendedTrustManager {
        private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);
        private final List<X509ExtendedTrustManager> delegates;
        /** Who was asked to vouch for the chain, for the message when none does. */
        private final String vouchers;
        /** The prefix of the job-file keys to name: smtp or bounces. */
        private final String keys;

        AnyOf(List<X509ExtendedTrustManager> delegates, String vouchers, String keys) {
            this.delegates = delegates;
            this.vouchers = vouchers;
            this.keys = keys;
        }

        private interface Check { void run(X509ExtendedTrustManager tm) throws CertificateException; }

        private void any(X509Certificate[] chain, String authType, Check check) throws CertificateException {
            // the JDK checks no dates on a certificate it trusts as an anchor itself (one pinned by smtp.trust)
            if (chain.length > 0) {
                Refused outOfDate = outOfDate(chain, chain[0], null);
                if (outOfDate != null) throw outOfDate;
            }
            CertificateException first = null;
            CertificateException misfit = null;
            for (X509ExtendedTrustManager tm : delegates) {
                try {
                    check.run(tm);
                    return;
                } catch (CertificateException e) {
                    if (first == null) first = e;
                    if (misfit == null && trustsChainAlone(tm, chain, authType)) misfit = notForThisHost(chain, e);
                }
            }
            throw misfit != null ? misfit : refused(chain, first);
        }

        private CertificateException refused(X509Certificate[] chain, CertificateException e) {
            for (X509Certificate c : chain) {
                Refused outOfDate = outOfDate(chain, c, e);
                if (outOfDate != null) return outOfDate;
            }
            X509Certificate leaf = chain[0];
            boolean selfSigned = leaf.getSubjectX500Principal().equals(leaf.getIssuerX500Principal());
            return new Refused("the server's certificate is not trusted: it is for " + name(leaf.getSubjectX500Principal()) + ", issued by "
                    + name(leaf.getIssuerX500Principal()) + (selfSigned ? " (self-signed)" : "") + "; " + vouchers
                    + ". If you trust it, put its issuer's certificate (for a self-signed one, the certificate itself) in a PEM file"
                    + " and name it in " + keys + ".trust", e);
        }

        /** Null when {@code c} is within its validity period now. */
        private static Refused outOfDate(X509Certificate[] chain, X509Certificate c, CertificateException cause) {
            Date now = new Date();
            String which = c == chain[0] ? "the server's certificate (" + name(c.getSubjectX500Principal()) + ")"
                    : "the certificate " + name(c.getSubjectX500Principal()) + " in the server's chain";
            if (now.after(c.getNotAfter())) {
                return new Refused(which + " expired on " + WHEN.format(c.getNotAfter().toInstant())
                        + "; the server's administrator must renew it (mailroom does not send over an expired certificate)", cause);
            }
            if (now.before(c.getNotBefore())) {
                return new Refused(which + " is not valid until " + WHEN.format(c.getNotBefore().toInstant())
                        + "; check this machine's clock, or the server's certificate", cause);
            }
            return null;
        }

        /** A distinguished name briefly: its CN (and O), else the whole name. */
        private static String name(X500Principal p) {
            String cn = null;
            String o = null;
            try {
                for (Rdn rdn : new LdapName(p.getName(X500Principal.RFC2253)).getRdns()) {
                    if (rdn.getType().equalsIgnoreCase("CN") && cn == null) cn = String.valueOf(rdn.getValue());
                    if (rdn.getType().equalsIgnoreCase("O") && o == null) o = String.valueOf(rdn.getValue());
                }
            } catch (InvalidNameException unparsable) {
                return p.getName();
            }
            if (cn == null) return p.getName();
            return "CN=" + cn + (o == null ? "" : ", O=" + o);
        }

        private static boolean trustsChainAlone(X509ExtendedTrustManager tm, X509Certificate[] chain, String authType) {
            try {
                tm.checkServerTrusted(chain, authType);
                return true;
            } catch (CertificateException e) {
                return false;
            }
        }

        private CertificateException notForThisHost(X509Certificate[] chain, CertificateException e) {
            return new Refused("the server's certificate is trusted but is not for this host: it names " + names(chain[0])
                    + " (" + e.getMessage() + "); set " + keys + ".host to a name it names", e);
        }

        /** The certificate's subject alternative names, else its subject. */
        private static String names(X509Certificate c) {
            try {
                Collection<List<?>> alt = c.getSubjectAlternativeNames();
                if (alt != null && !alt.isEmpty()) return String.join(", ", alt.stream().map(n -> String.valueOf(n.get(1))).toList());
            } catch (CertificateException unparsable) {
                // fall back to the subject
            }
            return c.getSubjectX500Principal().getName();
        }

        @Override public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            any(chain, authType, tm -> tm.checkServerTrusted(chain, authType, socket));
        }

        @Override public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            any(chain, authType, tm -> tm.checkServerTrusted(chain, authType, engine));
        }

        @Override public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            any(chain, authType, tm -> tm.checkServerTrusted(chain, authType));
        }

        @Override public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            throw new CertificateException("client certificates are not checked by a client");
        }

        @Override public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            throw new CertificateException("client certificates are not checked by a client");
        }

        @Override public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("client certificates are not checked by a client");
        }

        @Override public X509Certificate[] getAcceptedIssuers() {
            return delegates.stream().flatMap(tm -> java.util.Arrays.stream(tm.getAcceptedIssuers())).toArray(X509Certificate[]::new);
        }
    }
}
