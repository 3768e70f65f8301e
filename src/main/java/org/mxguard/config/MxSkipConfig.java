package org.mxguard.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.mxguard.evidence.Aggregate;
import org.mxguard.evidence.MxSkipSettings;
import org.mxguard.evidence.StoreSettings;
import org.mxguard.mail.Reply;
import org.mxguard.policy.Cidr;

/** The {@code mx-skip} and {@code evidence} sections. */
final class MxSkipConfig {

    private MxSkipConfig() {
    }

    static MxSkipSettings mxSkip(Section s) {
        MxSkipSettings d = MxSkipSettings.defaults();
        MxSkipSettings.Mode mode = s.value("mode", d.mode(), MxSkipSettings.Mode::parse);
        Duration window = ConfigLoader.positive(s, "window", d.window());
        Duration retry = ConfigLoader.positive(s, "retry-interval", d.retryInterval());
        Duration credit = ConfigLoader.positive(s, "credit-lifetime", d.creditLifetime());
        Reply reply = s.value("reply", d.reply(), text -> ConfigLoader.reply(text, 4));
        List<Cidr> allow = s.list("allow", List.of(), Cidr::parse);
        Section b = s.section("blocks");
        MxSkipSettings.BlockThresholds t = MxSkipSettings.BlockThresholds.DEFAULTS;
        boolean enabled = b.bool("enabled", t.enabled());
        int minClients = (int) b.integer("min-clients", t.minClients(), 2, Aggregate.MAX_CLIENTS);
        double share = b.value("min-null-sender-share", t.minNullSenderShare(), MxSkipConfig::share);
        Duration expiry = ConfigLoader.positive(b, "expiry", t.expiry());
        b.finish();
        s.finish();
        return new MxSkipSettings(mode, window, retry, credit, reply, allow,
                new MxSkipSettings.BlockThresholds(enabled, minClients, share, expiry));
    }

    static StoreSettings evidence(Section s, Path spoolDirectory, MxSkipSettings mxSkip) {
        String store = s.string("store", "embedded");
        if (!store.equals("embedded")) {
            s.problem("store", "must be 'embedded' (the only store of this version), not '" + store + "'");
        }
        StoreSettings d = StoreSettings.defaults(spoolDirectory.resolve("evidence"));
        Path directory = s.path("directory", d.directory());
        int v4 = (int) s.integer("client-prefix-v4", d.groupV4(), 8, 32);
        int v6 = (int) s.integer("client-prefix-v6", d.groupV6(), 16, 128);
        // Contacts must outlive the window that trusts them; attempts must outlive the retry interval.
        Duration contacts = max(ConfigLoader.positive(s, "contact-retention", d.contactRetention()), mxSkip.window());
        Duration attempts = max(d.attemptRetention(), mxSkip.retryInterval().multipliedBy(2));
        Duration aggregates = ConfigLoader.positive(s, "aggregate-retention", d.aggregateRetention());
        s.finish();
        return new StoreSettings(directory, v4, v6, contacts, attempts, aggregates, d.writeInterval());
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static double share(String text) {
        double v;
        try {
            v = text.endsWith("%") ? Double.parseDouble(text.substring(0, text.length() - 1)) / 100
                    : Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a share: '" + text + "' (write 0.5 or 50%)", e);
        }
        if (v < 0 || v > 1) {
            throw new IllegalArgumentException("a share lies between 0 and 1 (or 0% and 100%), not " + text);
        }
        return v;
    }
}
