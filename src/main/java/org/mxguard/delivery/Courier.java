package org.mxguard.delivery;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.mxguard.mail.ClientInfo;
import org.mxguard.mail.Domain;
import org.mxguard.mail.EnhancedStatus;
import org.mxguard.mail.MailAddress;
import org.mxguard.maillog.MailLog;
import org.mxguard.spool.QueuedMessage;

/**
 * Delivers a message to the recipients of one domain: finds the route, then tries each address in
 * turn until one server takes part in the transaction. Recipients go in transactions of at most
 * {@link DeliverySettings#recipientsPerTransaction()}.
 */
public final class Courier {

    private static final String NO_RELAY = "none";

    private final RoutePlanner planner;
    private final SmtpClient client;
    private final DeliverySettings settings;
    private final MailLog mailLog;

    public Courier(RoutePlanner planner, SmtpClient client, DeliverySettings settings, MailLog mailLog) {
        this.planner = planner;
        this.client = client;
        this.settings = settings;
        this.mailLog = mailLog;
    }

    Attempt deliver(QueuedMessage message, Domain domain, List<MailAddress> recipients, ClientTransaction.Content content) {
        long started = System.nanoTime();
        Route route = planner.route(domain);
        Duration lookup = Duration.ofNanos(System.nanoTime() - started);
        return switch (route) {
            case Route.Defer defer -> new Attempt(recipients.stream().<DeliveryResult>map(r ->
                    new DeliveryResult.Deferred(r, NO_RELAY, defer.status(), defer.reason())).toList(), lookup,
                    Duration.ZERO);
            case Route.Bounce bounce -> new Attempt(recipients.stream().<DeliveryResult>map(r ->
                    new DeliveryResult.Bounced(r, NO_RELAY, bounce.status(), bounce.reason(), null)).toList(), lookup,
                    Duration.ZERO);
            case Route.Targets targets -> viaTargets(message, domain, targets.targets(), recipients, content, lookup);
        };
    }

    private Attempt viaTargets(QueuedMessage message, Domain domain, List<Target> targets, List<MailAddress> recipients,
            ClientTransaction.Content content, Duration lookup) {
        List<DeliveryResult> results = new ArrayList<>();
        Duration setup = lookup;
        Duration transfer = Duration.ZERO;
        ClientInfo original = message.envelope().client();
        int step = settings.recipientsPerTransaction();
        for (int from = 0; from < recipients.size(); from += step) {
            List<MailAddress> chunk = recipients.subList(from, Math.min(recipients.size(), from + step));
            ClientTransaction tx = new ClientTransaction(message.envelope().sender(), chunk, message.size(),
                    message.envelope().eightBitMime(), needsSmtpUtf8(message, chunk, content), original, content);
            SessionResult.HostFailed last = null;
            Target lastTarget = null;
            Target looped = null;
            SessionResult.Unsuitable unsuitable = null;
            Target unsuitableTarget = null;
            boolean done = false;
            for (Target target : targets) {
                long t0 = System.nanoTime();
                SessionResult session = client.deliver(target, tx);
                Duration spent = Duration.ofNanos(System.nanoTime() - t0);
                switch (session) {
                    case SessionResult.Completed completed -> {
                        results.addAll(completed.results());
                        setup = setup.plus(completed.setup());
                        transfer = transfer.plus(completed.transfer());
                        done = true;
                    }
                    case SessionResult.HostFailed failed -> {
                        setup = setup.plus(spent);
                        last = failed;
                        lastTarget = target;
                    }
                    case SessionResult.Unsuitable cannot -> {
                        setup = setup.plus(spent);
                        unsuitable = cannot;
                        unsuitableTarget = target;
                    }
                    case SessionResult.Looped loop -> {
                        setup = setup.plus(spent);
                        mailLog.log("smtp", "warning: " + loop.warning());
                        looped = target;
                    }
                }
                if (done) {
                    break;
                }
            }
            if (!done && last == null && unsuitable != null) {
                // RFC 6531 §3.4: no downgrade in transit; every primary that answered cannot take it.
                for (MailAddress rcpt : chunk) {
                    results.add(new DeliveryResult.Bounced(rcpt, unsuitableTarget.relay(), unsuitable.status(),
                            unsuitable.reason(), null));
                }
            } else if (!done && last == null && looped != null) {
                // Every other address failed or was this host: as Postfix, a loop is permanent.
                String reason = "mail for " + domain + " loops back to myself";
                for (MailAddress rcpt : chunk) {
                    results.add(new DeliveryResult.Bounced(rcpt, looped.relay(), EnhancedStatus.parse("5.4.6"), reason,
                            null));
                }
            } else if (!done) {
                // Every address failed before the transaction: an unknown failure is always temporary.
                EnhancedStatus status = last == null ? EnhancedStatus.parse("4.4.1") : last.status();
                String reason = last == null ? "no address to deliver to" : last.reason();
                // Postfix names the relay once a connection was made, "none" when there was none.
                String relay = lastTarget == null || reason.startsWith("connect to") ? NO_RELAY : lastTarget.relay();
                for (MailAddress rcpt : chunk) {
                    results.add(new DeliveryResult.Deferred(rcpt, relay, status, reason));
                }
            }
        }
        return new Attempt(results, setup, transfer);
    }

    private static boolean needsSmtpUtf8(QueuedMessage message, List<MailAddress> recipients,
            ClientTransaction.Content content) {
        try {
            return SmtpUtf8Need.of(message.envelope().smtpUtf8(), message.envelope().sender(), recipients, content);
        } catch (IOException e) {
            // Unreadable now, so the transaction will fail anyway; assume the stricter case.
            return message.envelope().smtpUtf8();
        }
    }
}
