package org.mxguard.smtp;

import org.mxguard.mail.Domain;

/**
 * The queue ETRN starts a run of (RFC 1985), for delivery to plug in. The SMTP server has already
 * checked the request (a protected domain, well formed); the queue decides what a run means, and
 * must not block for it.
 */
@FunctionalInterface
public interface EtrnQueue {

    /**
     * Starts trying the mail queued for a domain now.
     *
     * @param domain the domain named
     * @param subdomains true for "ETRN @domain": the domain and every name below it (RFC 1985 §5)
     */
    void flush(Domain domain, boolean subdomains);
}
