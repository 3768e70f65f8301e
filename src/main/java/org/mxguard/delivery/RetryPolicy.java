package org.mxguard.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.Random;

/**
 * When a deferred message is tried again. As Postfix: the delay is the message's age, so each
 * retry comes when the age has doubled, clamped to [min, max] backoff (RFC 5321 §4.5.4.1: the
 * retry interval MUST be configurable). A random jitter spreads messages that arrived together so
 * they do not hit a recovering primary in one burst; the last attempt is made at the end of the
 * lifetime, never after it.
 */
public final class RetryPolicy {

    private final DeliverySettings settings;
    private final Random random;

    public RetryPolicy(DeliverySettings settings, Random random) {
        this.settings = settings;
        this.random = random;
    }

    Instant nextAttempt(Instant received, Instant now) {
        Duration age = Duration.between(received, now);
        if (age.isNegative()) {
            age = Duration.ZERO;
        }
        long millis = clamp(age.toMillis());
        double factor;
        synchronized (random) {
            factor = 1 + settings.jitter() * (2 * random.nextDouble() - 1);
        }
        long jittered = clamp(Math.round(millis * factor));
        Instant next = now.plusMillis(jittered);
        Instant expiry = received.plus(settings.lifetime());
        return next.isAfter(expiry) && now.isBefore(expiry) ? expiry : next;
    }

    boolean expired(Instant received, Instant now) {
        return !now.isBefore(received.plus(settings.lifetime()));
    }

    private long clamp(long millis) {
        return Math.max(settings.minBackoff().toMillis(), Math.min(settings.maxBackoff().toMillis(), millis));
    }
}
