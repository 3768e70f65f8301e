package org.mxguard.delivery;

/** How the SMTP client uses STARTTLS (RFC 3207), named after Postfix's smtp_tls_security_level. */
public enum TlsMode {
    /** Never STARTTLS. */
    NONE,
    /**
     * Opportunistic: STARTTLS when offered, any certificate accepted, plain text when not offered
     * or when the handshake fails (the next connection to that address goes without TLS).
     */
    MAY,
    /** STARTTLS required and the certificate must chain to a trusted root and match the MX name. */
    VERIFY
}
