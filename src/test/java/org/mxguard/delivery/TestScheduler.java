package org.mxguard.delivery;

import java.time.Clock;
import java.util.Random;
import org.mxguard.dns.Dns;
import org.mxguard.maillog.MailLog;
import org.mxguard.spool.Spool;

/** Wires a {@link DeliveryScheduler} for tests the way the composition root does. */
final class TestScheduler {

    private TestScheduler() {
    }

    static DeliveryScheduler build(Spool spool, DeliverySettings settings, Dns dns, MailLog mailLog, Clock clock,
            Random random) {
        DeliveryLog log = new DeliveryLog(mailLog);
        RoutePlanner planner = new RoutePlanner(settings, dns, random, LocalIdentity.from(settings), mailLog);
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
