package org.mxguard.delivery;

import java.time.Clock;
import java.util.Random;
import java.util.function.Predicate;
import org.mxguard.dns.Dns;
import org.mxguard.mail.Domain;
import org.mxguard.maillog.MailLog;
import org.mxguard.spool.Spool;

/** Wires a {@link DeliveryScheduler} for tests the way the composition root does. */
final class TestScheduler {

    private TestScheduler() {
    }

    static DeliveryScheduler build(Spool spool, DeliverySettings settings, Dns dns, MailLog mailLog, Clock clock,
            Random random) {
        return build(spool, settings, dns, mailLog, clock, random, domain -> false);
    }

    /** With the protected domains, whose mail waits when DNS says the domain does not exist. */
    static DeliveryScheduler build(Spool spool, DeliverySettings settings, Dns dns, MailLog mailLog, Clock clock,
            Random random, Predicate<Domain> protectedDomains) {
        DeliveryLog log = new DeliveryLog(mailLog);
        RoutePlanner planner = new RoutePlanner(settings, dns, random, LocalIdentity.from(settings), mailLog,
                protectedDomains);
        SmtpClient client = new SmtpClient(settings.hostname(), settings.timeouts(), settings.tls(),
                settings.connectionReuseTime(), TlsContexts.of(settings.tlsCaFile()));
        Schedule schedule = new Schedule();
        BounceWriter bounces = new BounceWriter(spool, new DsnComposer(settings.hostname(), clock), settings.hostname(),
                clock);
        MessageAttempt attempts = new MessageAttempt(spool, settings, clock,
                new Courier(planner, client, settings, mailLog), new RetryPolicy(settings, random), bounces, log,
                schedule);
        return new DeliveryScheduler(spool, settings, clock, schedule, attempts,
                new Prober(planner, settings.timeouts(), log), log, client);
    }
}
