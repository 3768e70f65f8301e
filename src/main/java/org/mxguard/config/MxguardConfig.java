package org.mxguard.config;

import java.nio.file.Path;
import org.mxguard.dns.DnsSettings;
import org.mxguard.evidence.MxSkipSettings;
import org.mxguard.evidence.StoreSettings;
import org.mxguard.policy.PolicySettings;
import org.mxguard.policyservice.PolicyServiceSettings;
import org.mxguard.primary.PrimarySettings;
import org.mxguard.smtp.SmtpSettings;
import org.mxguard.spool.SpoolSettings;

/**
 * The whole configuration, loaded and validated once by {@link ConfigLoader}; every component gets
 * its own settings record from here.
 *
 * @param source the file it came from
 * @param smtp the inbound server (hostname and protected domains included)
 * @param spool the queue directory
 * @param log the mail log
 * @param dns the resolver
 * @param clientNameLookup whether to look up clients' reverse names (else every client is "unknown")
 * @param policy the access rules
 * @param delivery the outbound side
 * @param controlSocket the running server's control socket
 * @param mxSkip the MX-skip rule and its automatic blocks
 * @param evidence the evidence store
 * @param policyService the Postfix policy delegation service for the primary, or null when not configured
 * @param primary how the primary MX hosts are watched: their logs, their syslog, the health probe
 */
public record MxguardConfig(Path source, SmtpSettings smtp, SpoolSettings spool, LogSettings log, DnsSettings dns,
        boolean clientNameLookup, PolicySettings policy, DeliveryConfig delivery, Path controlSocket,
        MxSkipSettings mxSkip, StoreSettings evidence, PolicyServiceSettings policyService,
        PrimarySettings primary) {
}
