package org.mxguard.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.Predicate;
import org.mxguard.config.MxguardConfig;
import org.mxguard.control.ControlResponse;
import org.mxguard.control.ControlServer;
import org.mxguard.delivery.BounceWriter;
import org.mxguard.delivery.Courier;
import org.mxguard.delivery.DeliveryListener;
import org.mxguard.delivery.DeliveryLog;
import org.mxguard.delivery.DeliveryScheduler;
import org.mxguard.delivery.DeliverySettings;
import org.mxguard.delivery.DsnComposer;
import org.mxguard.delivery.LocalIdentity;
import org.mxguard.delivery.MailqFormat;
import org.mxguard.delivery.MessageAttempt;
import org.mxguard.delivery.Prober;
import org.mxguard.delivery.QueueAdmin;
import org.mxguard.delivery.RetryPolicy;
import org.mxguard.delivery.RoutePlanner;
import org.mxguard.delivery.Schedule;
import org.mxguard.delivery.SmtpClient;
import org.mxguard.delivery.TlsContexts;
import org.mxguard.dns.Dns;
import org.mxguard.mail.Domain;
import org.mxguard.mail.QueueId;
import org.mxguard.maillog.MailLog;
import org.mxguard.smtp.ProtectedDomains;
import org.mxguard.smtp.SessionEvent;
import org.mxguard.spool.Spool;

/**
 * The queue side of a running server: the delivery scheduler (unless delivery is off), the queue
 * commands of the control socket, and the queue runs ETRN asks for.
 */
final class QueueService implements AutoCloseable {

    private final Spool spool;
    private final DeliveryScheduler scheduler;
    private final QueueAdmin admin;
    private final Clock clock;

    private QueueService(Spool spool, DeliveryScheduler scheduler, QueueAdmin admin, Clock clock) {
        this.spool = spool;
        this.scheduler = scheduler;
        this.admin = admin;
        this.clock = clock;
    }

    /** Builds the scheduler from the spool (already recovered) and starts it when delivery is on. */
    static QueueService start(MxguardConfig config, Spool spool, Dns dns, MailLog mailLog, Clock clock)
            throws IOException {
        ProtectedDomains protectedDomains = ProtectedDomains.of(config.smtp().protectedDomains());
        DeliveryScheduler scheduler = scheduler(config.delivery().settings(), spool, dns, mailLog, clock,
                new SecureRandom(), protectedDomains::contains);
        if (config.delivery().enabled()) {
            scheduler.start();
        }
        return new QueueService(spool, scheduler, new QueueAdmin(spool, scheduler, clock, mailLog), clock);
    }

    /** The queue operations the control socket and the admin API both call. */
    QueueAdmin admin() {
        return admin;
    }

    void addDeliveryListener(DeliveryListener listener) {
        scheduler.addListener(listener);
    }

    /**
     * The delivery side, wired: routes (DNS or static), the SMTP client, attempts that write DSNs
     * through the spool and reschedule with the retry policy, and the probe of dead destinations.
     */
    static DeliveryScheduler scheduler(DeliverySettings settings, Spool spool, Dns dns, MailLog mailLog, Clock clock,
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

    /** Hands each newly queued message to the scheduler, so it is tried at once. */
    void onSessionEvent(SessionEvent event) {
        if (event instanceof SessionEvent.Queued queued) {
            scheduler.queued(queued.id());
        }
    }

    /** ETRN, checked by the SMTP server: see {@link DeliveryScheduler#etrn}. */
    void etrn(Domain domain, boolean subdomains) {
        scheduler.etrn(domain, subdomains);
    }

    void registerControl(ControlServer control) {
        control.register("queue-count", args -> ControlResponse.ok(List.of(String.valueOf(spool.list().size()))));
        control.register("queue-list", args -> ControlResponse.ok(
                List.of(new MailqFormat(clock.getZone()).render(admin.list()).split("\n"))));
        control.register("queue-show", args -> {
            Optional<QueueAdmin.Shown> shown = admin.show(id(args));
            if (shown.isEmpty()) {
                throw new IllegalArgumentException("no such message: " + args.getFirst());
            }
            List<String> lines = new ArrayList<>(
                    List.of(new MailqFormat(clock.getZone()).render(List.of(shown.get().entry())).split("\n")));
            lines.add("");
            lines.addAll(List.of(new String(shown.get().content(), StandardCharsets.UTF_8).split("\r?\n", -1)));
            return ControlResponse.ok(lines);
        });
        control.register("flush", args -> {
            if (args.isEmpty()) {
                admin.flushAll();
                return ControlResponse.ok(List.of("flushing the whole queue"));
            }
            admin.flush(Domain.parse(args.getFirst()));
            return ControlResponse.ok(List.of("flushing mail for " + args.getFirst()));
        });
        control.register("hold", args -> done(admin.hold(id(args)), args, "held"));
        control.register("release", args -> done(admin.release(id(args)), args, "released"));
        control.register("delete", args -> done(admin.delete(id(args)), args, "deleted"));
    }

    private static QueueId id(List<String> args) {
        if (args.size() != 1 || !QueueId.isValid(args.getFirst())) {
            throw new IllegalArgumentException("expected one queue id, got " + String.join(" ", args));
        }
        return new QueueId(args.getFirst());
    }

    private static ControlResponse done(boolean changed, List<String> args, String what) {
        if (!changed) {
            throw new IllegalArgumentException("no such message (or nothing to change): " + args.getFirst());
        }
        return ControlResponse.ok(List.of(args.getFirst() + ": " + what));
    }

    @Override
    public void close() {
        scheduler.close();
    }
}
