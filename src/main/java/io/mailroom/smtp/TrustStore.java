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
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Builds the TLS context: the system's trusted CAs, plus the certificates of the job's {@code smtp.trust}
 * PEM file when given. Chain and host-name checks always run; there is no switch to turn them off.
 */
final class TrustStore {
    private TrustStore() { }

    static SSLContext context(Path extraPem) throws IOException, GeneralSecurityException {
        List<X509ExtendedTrustManager> managers = new ArrayList<>();
        managers.add(managerFor(null));
        if (extraPem != null) managers.add(managerFor(load(extraPem)));
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new AnyOf(managers)}, null);
        return context;
    }

    private static KeyStore load(Path pem) throws IOException, GeneralSecurityException {
        Collection<? extends Certificate> certs;
        try (InputStream in = Files.newInputStream(pem)) {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (CertificateException e) {
            throw new CertificateException(pem + ": not a PEM certificate file (" + e.getMessage() + ")", e);
        }
        if (certs.isEmpty()) throw new CertificateException(pem + ": contains no certificate");
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
     */
    private static final class AnyOf extends X509ExtendedTrustManager {
        private final List<X509ExtendedTrustManager> delegates;

        AnyOf(List<X509ExtendedTrustManager> delegates) { this.delegates = delegates; }

        private interface Check { void run(X509ExtendedTrustManager tm) throws CertificateException; }

        private void any(X509Certificate[] chain, String authType, Check check) throws CertificateException {
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
            throw misfit != null ? misfit : first;
        }

        private static boolean trustsChainAlone(X509ExtendedTrustManager tm, X509Certificate[] chain, String authType) {
            try {
                tm.checkServerTrusted(chain, authType);
                return true;
            } catch (CertificateException e) {
                return false;
            }
        }

        private static CertificateException notForThisHost(X509Certificate[] chain, CertificateException e) {
            return new CertificateException("the server's certificate is trusted but is not for this host: it names " + names(chain[0])
                    + " (" + e.getMessage() + ")", e);
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
