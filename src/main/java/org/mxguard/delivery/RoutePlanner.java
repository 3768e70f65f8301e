package org.mxguard.delivery;

import com.google.common.net.InetAddresses;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import org.mxguard.dns.AddressResult;
import org.mxguard.dns.Dns;
import org.mxguard.dns.MxHost;
import org.mxguard.dns.MxResolver;
import org.mxguard.dns.MxResult;
import org.mxguard.mail.Domain;
import org.mxguard.mail.EnhancedStatus;
import org.mxguard.maillog.MailLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides where mail for a domain goes: a static route if one is configured, else the domain's
 * MX hosts that are more preferred than mxguard itself.
 *
 * <p>Invariant: a backup MX relays only to MX hosts more preferred than itself (RFC 5321 §5.1),
 * so mail never loops back to mxguard or goes to another backup.
 *
 * <p>A protected domain that DNS says does not exist is taken for a broken zone (a lapsed
 * delegation, a zone that failed to load), not for a domain that is gone: mxguard accepted its mail
 * as its backup MX, so the mail waits, deferred, until DNS is fixed or the queue lifetime ends.
 */
public final class RoutePlanner {

    private static final Logger LOG = LoggerFactory.getLogger(RoutePlanner.class);
    private static final String MX_HINT = "the MX records and delivery.own_names";

    private final DeliverySettings settings;
    private final Dns dns;
    private final MxResolver mx;
    private final LocalIdentity self;
    private final MailLog mailLog;
    private final Predicate<Domain> protectedDomains;

    public RoutePlanner(DeliverySettings settings, Dns dns, Random random, LocalIdentity self, MailLog mailLog) {
        this(settings, dns, random, self, mailLog, domain -> false);
    }

    /**
     * A planner that keeps the mail of {@code protectedDomains} when DNS says the domain does not
     * exist (NXDOMAIN, or neither MX nor address records), instead of bouncing it as Postfix does.
     */
    public RoutePlanner(DeliverySettings settings, Dns dns, Random random, LocalIdentity self, MailLog mailLog,
            Predicate<Domain> protectedDomains) {
        this.protectedDomains = protectedDomains;
        this.settings = settings;
        this.dns = dns;
        this.mx = new MxResolver(dns, random);
        this.self = self;
        this.mailLog = mailLog;
    }

    Route route(Domain domain) {
        StaticRoute fixed = settings.routes().get(domain);
        if (fixed != null) {
            return staticRoute(domain, fixed);
        }
        return switch (mx.lookup(domain)) {
            case MxResult.Found found -> fromMxHosts(domain, found.hosts());
            // RFC 7505 §4.2: 556 5.1.10 for a domain that accepts no mail.
            case MxResult.NullMx nullMx -> new Route.Bounce(EnhancedStatus.parse("5.1.10"),
                    "Domain " + domain + " does not accept mail (nullMX)");
            case MxResult.NoSuchDomain nx -> noSuchDomain(domain, nx.reason());
            case MxResult.TemporaryFailure failure -> new Route.Defer(EnhancedStatus.parse("4.4.3"), failure.reason());
        };
    }

    private Route noSuchDomain(Domain domain, String reason) {
        if (!protectedDomains.test(domain)) {
            return new Route.Bounce(EnhancedStatus.parse("5.4.4"), reason);
        }
        mailLog.log("smtp", "warning: protected domain " + domain + " not found in DNS: mail deferred (check the"
                + " domain's zone and delegation)");
        LOG.warn("protected domain {} not found in DNS ({}): its mail waits until DNS is fixed or it expires", domain,
                reason);
        return new Route.Defer(EnhancedStatus.parse("4.4.4"), reason);
    }

    private Route staticRoute(Domain domain, StaticRoute fixed) {
        String host = fixed.host();
        if (isLiteral(host)) {
            try {
                InetAddress address = InetAddress.ofLiteral(host);
                return notSelf(domain, List.of(new Target(InetAddresses.toAddrString(address), address, fixed.port())));
            } catch (IllegalArgumentException e) {
                return new Route.Defer(EnhancedStatus.parse("4.3.5"), "bad static route address: " + host);
            }
        }
        return switch (dns.addresses(host)) {
            case AddressResult.Found found -> notSelf(domain, found.addresses().stream()
                    .limit(settings.mxAddressLimit())
                    .map(a -> new Target(host, a, fixed.port())).toList());
            // A broken static route is the postmaster's mistake: keep the mail until it is fixed.
            case AddressResult.NotFound notFound -> new Route.Defer(EnhancedStatus.parse("4.4.4"), notFound.reason());
            case AddressResult.TemporaryFailure failure -> new Route.Defer(EnhancedStatus.parse("4.4.3"), failure.reason());
        };
    }

    /**
     * A static route has no preferences to cut at, but the same rule holds (RFC 5321 §5.1): never
     * to this host itself. A route that leads only back here bounces as Postfix's does.
     */
    private Route notSelf(Domain domain, List<Target> targets) {
        List<Target> others = targets.stream().filter(t -> !self.isSelf(t.address(), t.port())).toList();
        if (others.isEmpty()) {
            String reason = "mail for " + domain + " loops back to myself";
            loudly(reason, "delivery.routes");
            return new Route.Bounce(EnhancedStatus.parse("5.4.6"), reason);
        }
        return new Route.Targets(others);
    }

    private Route fromMxHosts(Domain domain, List<MxHost> hosts) {
        // RFC 5321 §5.1: find ourselves; drop that record and all of equal or higher preference value.
        int selfPreference = Integer.MAX_VALUE;
        for (MxHost host : hosts) {
            if (self.isSelf(host)) {
                selfPreference = Math.min(selfPreference, host.preference());
            }
        }
        int bestPreference = hosts.getFirst().preference();
        List<MxHost> usable = new ArrayList<>();
        boolean temporary = false;
        String lastError = null;
        for (MxHost host : hosts) {
            if (host.preference() >= selfPreference) {
                break;
            }
            if (host.addresses().isEmpty()) {
                temporary |= host.addressLookupTemporarilyFailed();
                lastError = host.addressError();
            } else {
                usable.add(host);
            }
        }
        if (usable.isEmpty() && selfPreference != Integer.MAX_VALUE) {
            if (selfPreference == bestPreference) {
                String reason = "mail for " + domain + " loops back to myself";
                loudly(reason, MX_HINT);
                return new Route.Bounce(EnhancedStatus.parse("5.4.6"), reason);
            }
            String reason = "unable to find primary relay for " + domain;
            loudly(reason, MX_HINT);
            return new Route.Defer(EnhancedStatus.parse("4.4.4"), reason);
        }
        if (usable.isEmpty()) {
            String reason = "Host or domain name not found. " + (lastError == null ? "" : lastError.substring(
                    lastError.indexOf(':') + 2));
            return temporary ? new Route.Defer(EnhancedStatus.parse("4.4.3"), reason)
                    : new Route.Bounce(EnhancedStatus.parse("5.4.4"), reason);
        }
        List<Target> targets = new ArrayList<>();
        for (MxHost host : usable) {
            for (InetAddress address : host.addresses()) {
                if (targets.size() < settings.mxAddressLimit()) {
                    targets.add(new Target(host.name(), address, settings.smtpPort()));
                }
            }
        }
        return new Route.Targets(targets);
    }

    private void loudly(String reason, String check) {
        // A misconfigured MX list or route needs a person to fix it: say so where people look.
        mailLog.log("smtp", "warning: " + reason + " (check " + check + ")");
        LOG.warn("{}: no next hop other than this host itself (check {})", reason, check);
    }

    private static boolean isLiteral(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    }
}
