package org.mxguard.cli;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.mxguard.delivery.StaticRoute;
import org.mxguard.dns.Dns;
import org.mxguard.dns.MxResolver;
import org.mxguard.dns.MxResult;
import org.mxguard.mail.Domain;

/**
 * The name of a protected domain's primary MX, for the MX-skip reply: the configured route, or the
 * most preferred MX host from DNS. The lookup runs on its own virtual thread and its answer is kept
 * an hour; until it is known the reply says "the primary MX of DOMAIN". An SMTP session never waits
 * for it.
 */
final class PrimaryNames implements Function<Domain, String> {

    private static final Duration KEEP = Duration.ofHours(1);

    private record Known(String name, Instant until) {
    }

    private final Map<Domain, StaticRoute> routes;
    private final MxResolver mx;
    private final Clock clock;
    private final Map<Domain, Known> known = new ConcurrentHashMap<>();
    private final Map<Domain, Boolean> looking = new ConcurrentHashMap<>();

    PrimaryNames(Map<Domain, StaticRoute> routes, Dns dns, Clock clock) {
        this.routes = routes;
        this.mx = new MxResolver(dns, new Random());
        this.clock = clock;
    }

    @Override
    public String apply(Domain domain) {
        StaticRoute route = routes.get(domain);
        if (route != null) {
            return route.host();
        }
        Known k = known.get(domain);
        if (k == null || clock.instant().isAfter(k.until())) {
            if (looking.putIfAbsent(domain, Boolean.TRUE) == null) {
                Thread.ofVirtual().name("primary-name-lookup").start(() -> lookUp(domain));
            }
        }
        return k == null ? "of " + domain.name() : k.name();
    }

    private void lookUp(Domain domain) {
        try {
            if (mx.lookup(domain) instanceof MxResult.Found found) {
                String name = found.hosts().getFirst().name();
                known.put(domain, new Known(name.endsWith(".") ? name.substring(0, name.length() - 1) : name,
                        clock.instant().plus(KEEP)));
            }
        } catch (RuntimeException e) {
            // The reply falls back to naming the domain; the next refusal asks again.
        } finally {
            looking.remove(domain);
        }
    }
}
