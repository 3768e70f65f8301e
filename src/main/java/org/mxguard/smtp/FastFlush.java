package org.mxguard.smtp;

import org.mxguard.mail.ClientInfo;
import org.mxguard.mail.Domain;
import org.mxguard.mail.Reply;

/**
 * ETRN (RFC 1985): reads the argument, allows it only for the domains this server protects (as
 * Postfix's {@code fast_flush_domains} allows only the domains it relays for) and asks the queue
 * for a run.
 *
 * <pre>
 *   ETRN example.org     250 2.0.0 Queuing started      example.org is protected
 *   ETRN @example.org    250 2.0.0 Queuing started      example.org and the names below it
 *   ETRN other.example   459 4.7.1 &lt;other.example&gt;: service unavailable
 *   ETRN #queue          458 4.3.0 Unable to queue messages for #queue   (no named queues)
 *   ETRN a..b            501 5.5.4 Syntax: ETRN domain
 * </pre>
 */
final class FastFlush implements EtrnHandler {

    private final ProtectedDomains protectedDomains;
    private final EtrnQueue queue;

    FastFlush(ProtectedDomains protectedDomains, EtrnQueue queue) {
        this.protectedDomains = protectedDomains;
        this.queue = queue;
    }

    @Override
    public Reply etrn(String argument, ClientInfo client) {
        // RFC 1985 §5: "#" names a queue, "@" a domain with its subdomains.
        if (argument.startsWith("#")) {
            return Reply.of(458, "4.3.0", "Unable to queue messages for " + argument);
        }
        boolean subdomains = argument.startsWith("@");
        Domain domain;
        try {
            domain = Domain.parse(subdomains ? argument.substring(1) : argument);
        } catch (IllegalArgumentException e) {
            return Replies.ETRN_SYNTAX;
        }
        boolean allowed = protectedDomains.contains(domain) || subdomains && protectedDomains.hasSubtree(domain);
        if (!allowed) {
            // Postfix's reply for a domain outside fast_flush_domains.
            return Reply.of(459, "4.7.1", "<" + argument + ">: service unavailable");
        }
        queue.flush(domain, subdomains);
        return Reply.of(250, "2.0.0", "Queuing started");
    }
}
