package org.mxguard.admin;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mxguard.delivery.QueueAdmin;
import org.mxguard.delivery.QueueEntry;
import org.mxguard.evidence.Block;
import org.mxguard.mail.Domain;
import org.mxguard.mail.MailAddress;

/** The API's JSON shapes, built as maps and lists so that renaming a Java field never changes the API. */
final class JsonViews {

    private JsonViews() {
    }

    static Map<String, Object> entry(QueueEntry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.id().toString());
        m.put("arrival", time(e.arrival()));
        m.put("size", e.size());
        m.put("sender", e.sender().toString());
        m.put("recipients", e.recipients().stream().map(MailAddress::toString).toList());
        m.put("held", e.held());
        m.put("attempts", e.attempts());
        m.put("next_attempt", time(e.nextAttempt()));
        m.put("last_error", e.lastError());
        return m;
    }

    static Map<String, Object> shown(QueueAdmin.Shown shown) {
        Map<String, Object> m = entry(shown.entry());
        // The stored message is text as received (8BITMIME content included); shown as UTF-8.
        m.put("content", new String(shown.content(), StandardCharsets.UTF_8));
        return m;
    }

    static List<Map<String, Object>> rules(List<RuleHits.Stat> stats) {
        return stats.stream().map(s -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rule", s.rule().toString());
            m.put("source", s.source());
            m.put("hits", s.hits());
            m.put("last_hit", time(s.lastHit()));
            return m;
        }).toList();
    }

    static Map<String, Object> history(MinuteHistory.Snapshot h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("start", time(h.start()));
        m.put("interval_seconds", h.intervalSeconds());
        m.put("accepted", h.accepted());
        m.put("tempfailed", h.tempfailed());
        m.put("relayed", h.relayed());
        m.put("queue", h.queue());
        return m;
    }

    static Map<String, Object> sources(CaughtSources caught, int limit) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("networks", caught.networks(limit).stream().map(JsonViews::source).toList());
        m.put("subdomains", caught.subdomains(limit).stream().map(JsonViews::source).toList());
        return m;
    }

    private static Map<String, Object> source(TopSources.Entry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", e.source());
        m.put("caught", e.caught());
        m.put("tempfailed", e.tempfailed());
        m.put("rejected", e.rejected());
        m.put("error", e.error());
        m.put("last", time(e.last()));
        return m;
    }

    static Map<String, Object> status(ServerInfo info, Instant now, int queued, int rules) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", info.version());
        m.put("started", time(info.started()));
        m.put("uptime_seconds", java.time.Duration.between(info.started(), now).toSeconds());
        m.put("smtp_listeners", info.smtpListeners());
        m.put("protected_domains", info.protectedDomains());
        m.put("queue_messages", queued);
        m.put("rules", rules);
        return m;
    }

    static Map<String, Object> block(Block b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", b.target());
        m.put("origin", b.origin().word());
        m.put("host", b.host());
        m.put("created", time(b.created()));
        m.put("expires", time(b.expires()));
        m.put("rule", b.rule());
        m.put("evidence", b.evidence());
        return m;
    }

    static Map<String, Object> primary(Domain domain, boolean up) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("domain", domain.toString());
        m.put("up", up);
        return m;
    }

    /** A command's answer, the lines the control socket would print. */
    static Map<String, Object> lines(List<String> lines) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("result", lines);
        return m;
    }

    static Map<String, Object> message(String key, String text) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(key, text);
        return m;
    }

    private static String time(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
