package org.mxguard.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The socket factories for STARTTLS: one that trusts any certificate, one that verifies against
 * the JDK's trust store or, when a CA file is given, against the certificates in that file only
 * (Postfix's smtp_tls_CAfile).
 */
public final class TlsContexts {

    private final SSLSocketFactory verified;

    private TlsContexts(SSLSocketFactory verified) {
        this.verified = verified;
    }

    /**
     * @param caFile PEM file of trusted CA certificates, or null for the JDK's trust store
     * @throws IllegalArgumentException naming the file when it cannot be read or holds no certificate
     */
    public static TlsContexts of(Path caFile) {
        if (caFile == null) {
            return new TlsContexts((SSLSocketFactory) SSLSocketFactory.getDefault());
        }
        try (InputStream in = Files.newInputStream(caFile)) {
            Collection<? extends Certificate> cas = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (cas.isEmpty()) {
                throw new IllegalArgumentException("delivery.tls-ca-file " + caFile + ": no certificate in the file");
            }
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            int n = 0;
            for (Certificate ca : cas) {
                trusted.setCertificateEntry("ca" + n++, ca);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return new TlsContexts(context.getSocketFactory());
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("delivery.tls-ca-file " + caFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * Opportunistic TLS (RFC 7435): encryption against passive eavesdroppers without
     * authentication, as Postfix smtp_tls_security_level=may. MX certificates are often self-signed
     * or name the wrong host; refusing them would only push the mail to plain text.
     */
    SSLSocketFactory unverified() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new AcceptAll()}, null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TLS is not available in this JVM", e);
        }
    }

    SSLSocketFactory verified() {
        return verified;
    }

    private static final class AcceptAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            // Never used: mxguard is the client here.
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // Opportunistic TLS accepts any certificate by design (see the class comment).
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
