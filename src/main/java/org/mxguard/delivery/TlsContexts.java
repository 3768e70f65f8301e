package org.mxguard.delivery;

import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/** The socket factories for STARTTLS: one that trusts any certificate, one that verifies. */
final class TlsContexts {

    private TlsContexts() {
    }

    /**
     * Opportunistic TLS (RFC 7435): encryption against passive eavesdroppers without
     * authentication, as Postfix smtp_tls_security_level=may. MX certificates are often self-signed
     * or name the wrong host; refusing them would only push the mail to plain text.
     */
    static SSLSocketFactory unverified() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new AcceptAll()}, null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TLS is not available in this JVM", e);
        }
    }

    static SSLSocketFactory verified() {
        return (SSLSocketFactory) SSLSocketFactory.getDefault();
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
