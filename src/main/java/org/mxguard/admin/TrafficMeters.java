package org.mxguard.admin;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.mxguard.delivery.DeliveryListener;
import org.mxguard.delivery.DeliveryResult;
import org.mxguard.mail.QueueId;
import org.mxguard.smtp.SessionEvent;
import org.mxguard.smtp.SessionListener;

/**
 * Counts what the SMTP sessions and the deliveries report through their listeners. Every label
 * comes from a small fixed set (SMTP stage, reply class, delivery result), never from a client's
 * address or name, so the number of series stays bounded whatever the traffic.
 */
final class TrafficMeters implements SessionListener, DeliveryListener {

    /** The stages a reply is counted under; anything else is "other". */
    private static final Set<String> COMMANDS = Set.of("CONNECT", "HELO", "MAIL", "RCPT", "DATA");

    private final MeterRegistry registry;
    private final Counter connected;
    private final Counter refused;
    private final Counter accepted;
    private final Counter nullSenderTempfails;
    private final Counter relayed;
    private final Counter deferred;
    private final Counter bounced;
    private final Map<String, Counter> replies = new ConcurrentHashMap<>();
    private final MinuteHistory history;

    /** @param history told of each count the charts draw, so that they add up to the counters */
    TrafficMeters(MeterRegistry registry, MinuteHistory history) {
        this.registry = registry;
        this.history = history;
        this.connected = connections(registry, "accepted");
        this.refused = connections(registry, "refused");
        this.accepted = Counter.builder("mxguard.messages.accepted")
                .description("Messages committed to the queue and acknowledged with 250").register(registry);
        this.nullSenderTempfails = Counter.builder("mxguard.null.sender.tempfails")
                .description("Recipients refused with a 4xx reply for a null reverse-path (the backscatter caught)")
                .register(registry);
        this.relayed = deliveries(registry, "relayed");
        this.deferred = deliveries(registry, "deferred");
        this.bounced = deliveries(registry, "bounced");
    }

    private static Counter connections(MeterRegistry registry, String outcome) {
        return Counter.builder("mxguard.smtp.connections").tag("outcome", outcome)
                .description("SMTP connections, accepted or refused by a connection limit").register(registry);
    }

    private static Counter deliveries(MeterRegistry registry, String result) {
        return Counter.builder("mxguard.deliveries").tag("result", result)
                .description("Recipient delivery attempts to the primary, by result").register(registry);
    }

    @Override
    public void onEvent(SessionEvent event) {
        switch (event) {
            case SessionEvent.Connected c -> connected.increment();
            case SessionEvent.Refused r -> {
                refused.increment();
                reply("CONNECT", r.reply().code());
            }
            case SessionEvent.Rejected r when !r.warnOnly() -> {
                reply(r.command(), r.reply().code());
                if (r.reply().code() / 100 == 4 && "RCPT".equals(r.command()) && r.sender() != null
                        && r.sender().isEmpty()) {
                    nullSenderTempfails.increment();
                }
            }
            case SessionEvent.Queued q -> {
                accepted.increment();
                history.add(MinuteHistory.Series.ACCEPTED);
                reply("DATA", 250);
            }
            default -> {
                // TLS, pregreet, drops and the rest are in the mail log; they have no counter yet.
            }
        }
    }

    private void reply(String command, int code) {
        String stage = COMMANDS.contains(command) ? command : "other";
        String codeClass = (code / 100) + "xx";
        replies.computeIfAbsent(stage + " " + codeClass, key -> Counter.builder("mxguard.smtp.replies")
                .tag("command", stage).tag("class", codeClass)
                .description("Replies that decided an SMTP stage: refusals and the 250 after the message")
                .register(registry)).increment();
        if (code / 100 == 4) {
            history.add(MinuteHistory.Series.TEMPFAILED);
        }
    }

    @Override
    public void onResult(QueueId id, DeliveryResult result) {
        switch (result) {
            case DeliveryResult.Delivered d -> {
                relayed.increment();
                history.add(MinuteHistory.Series.RELAYED);
            }
            case DeliveryResult.Deferred d -> deferred.increment();
            case DeliveryResult.Bounced b -> bounced.increment();
        }
    }

    /** The counts for the API, by the names the dashboard shows. */
    Map<String, Long> counts() {
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("connections", (long) connected.count());
        out.put("connections_refused", (long) refused.count());
        out.put("accepted", (long) accepted.count());
        out.put("null_sender_tempfails", (long) nullSenderTempfails.count());
        out.put("relayed", (long) relayed.count());
        out.put("deferred", (long) deferred.count());
        out.put("bounced", (long) bounced.count());
        long tempfailed = 0;
        long rejected = 0;
        for (Counter c : replies.values()) {
            String codeClass = c.getId().getTag("class");
            if ("4xx".equals(codeClass)) {
                tempfailed += (long) c.count();
            } else if ("5xx".equals(codeClass)) {
                rejected += (long) c.count();
            }
        }
        out.put("tempfailed", tempfailed);
        out.put("rejected", rejected);
        return out;
    }
}
