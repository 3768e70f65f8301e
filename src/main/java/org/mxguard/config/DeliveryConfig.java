package org.mxguard.config;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.mxguard.delivery.DeliverySettings;
import org.mxguard.delivery.RecipientSettings;
import org.mxguard.delivery.RecipientValidation;
import org.mxguard.delivery.SmtpTimeouts;
import org.mxguard.delivery.StaticRoute;
import org.mxguard.delivery.TlsMode;
import org.mxguard.mail.Domain;
import org.mxguard.mail.MailAddress;

/**
 * The {@code delivery} section.
 *
 * @param enabled false keeps everything in the queue (accept-only, like Postfix's defer_transports)
 * @param settings the delivery settings
 * @param recipients recipient validation (a valid-recipient file, verification at the primary)
 */
public record DeliveryConfig(boolean enabled, DeliverySettings settings, RecipientSettings recipients) {

    /**
     * @param listen where the inbound server listens, so that a static route back to it is known as a loop
     */
    static DeliveryConfig bind(Section s, String hostname, List<InetSocketAddress> listen) {
        DeliverySettings d = DeliverySettings.defaults(hostname);
        boolean enabled = s.bool("enabled", true);
        List<String> ownNames = s.strings("own-names", d.ownNames());
        List<InetAddress> ownAddresses = s.list("own-addresses", d.ownAddresses(), DeliveryConfig::address);
        boolean interfaces = s.bool("interface-addresses", d.interfaceAddresses());
        Map<Domain, StaticRoute> routes = new LinkedHashMap<>();
        s.map("routes", (domain, nexthop) -> routes.put(Domain.parse(domain), StaticRoute.parse(nexthop)));
        int smtpPort = (int) s.integer("smtp-port", d.smtpPort(), 1, 65535);
        Duration minBackoff = ConfigLoader.positive(s, "min-backoff", d.minBackoff());
        Duration maxBackoff = ConfigLoader.positive(s, "max-backoff", d.maxBackoff());
        if (maxBackoff.compareTo(minBackoff) < 0) {
            s.problem("max-backoff", "is shorter than min-backoff");
            maxBackoff = minBackoff;
        }
        Duration lifetime = ConfigLoader.positive(s, "queue-lifetime", d.lifetime());
        Duration delayWarning = s.duration("delay-warning", Duration.ZERO);
        int maxConcurrency = (int) s.integer("max-concurrency", d.maxConcurrency(), 1, 10_000);
        int destination = (int) s.integer("destination-concurrency", d.destinationConcurrency(), 1, 10_000);
        int perTransaction = (int) s.integer("recipients-per-transaction", d.recipientsPerTransaction(), 1, 10_000);
        int mxAddresses = (int) s.integer("mx-address-limit", d.mxAddressLimit(), 1, 100);
        SmtpTimeouts t = d.timeouts();
        SmtpTimeouts timeouts = new SmtpTimeouts(
                ConfigLoader.positive(s, "connect-timeout", t.connect()),
                ConfigLoader.positive(s, "helo-timeout", t.greeting()),
                ConfigLoader.positive(s, "command-timeout", t.command()),
                ConfigLoader.positive(s, "data-init-timeout", t.dataInit()),
                ConfigLoader.positive(s, "data-block-timeout", t.dataBlock()),
                ConfigLoader.positive(s, "data-done-timeout", t.dataDone()));
        TlsMode tls = s.value("tls", d.tls(), DeliveryConfig::tlsMode);
        Path caFile = s.path("tls-ca-file", d.tlsCaFile());
        if (caFile != null && !Files.isReadable(caFile)) {
            s.problem("tls-ca-file", "cannot read " + caFile);
        }
        Duration probe = ConfigLoader.positive(s, "probe-interval", d.probeInterval());
        MailAddress postmasterCopy = s.value("postmaster-copy", d.postmasterCopy(), DeliveryConfig::mailbox);
        Duration reuse = s.duration("connection-reuse-time", d.connectionReuseTime());
        RecipientSettings recipients = recipients(s.section("recipients"));
        s.finish();
        DeliverySettings settings = new DeliverySettings(hostname, ownNames, ownAddresses, interfaces, routes,
                smtpPort, minBackoff, maxBackoff, d.jitter(), lifetime, delayWarning.isZero() ? null : delayWarning,
                maxConcurrency, destination, perTransaction, mxAddresses, timeouts, tls, probe, postmasterCopy, reuse,
                listen, caFile);
        return new DeliveryConfig(enabled, settings, recipients);
    }

    private static RecipientSettings recipients(Section s) {
        RecipientSettings d = RecipientSettings.DEFAULTS;
        Path file = s.path("file", d.file());
        if (file != null && !Files.isReadable(file)) {
            s.problem("file", "cannot read " + file);
            file = null;
        } else if (file != null) {
            try {
                RecipientValidation.checkRecipientFile(file);
            } catch (IOException e) {
                s.problem("file", e.getMessage());
                file = null;
            }
        }
        boolean verify = s.bool("verify", d.verify());
        Duration positiveRefresh = ConfigLoader.positive(s, "positive-refresh", d.positiveRefresh());
        Duration positiveExpire = ConfigLoader.positive(s, "positive-expire", d.positiveExpire());
        Duration negativeRefresh = ConfigLoader.positive(s, "negative-refresh", d.negativeRefresh());
        Duration negativeExpire = ConfigLoader.positive(s, "negative-expire", d.negativeExpire());
        Duration timeout = ConfigLoader.positive(s, "verify-timeout", d.timeout());
        if (positiveRefresh.compareTo(positiveExpire) > 0) {
            s.problem("positive-refresh", "is longer than positive-expire");
            positiveRefresh = positiveExpire;
        }
        if (negativeRefresh.compareTo(negativeExpire) > 0) {
            s.problem("negative-refresh", "is longer than negative-expire");
            negativeRefresh = negativeExpire;
        }
        s.finish();
        return new RecipientSettings(file, verify, positiveRefresh, positiveExpire, negativeRefresh, negativeExpire,
                timeout);
    }

    private static InetAddress address(String text) {
        if (!text.matches("[0-9a-fA-F:.]+")) {
            throw new IllegalArgumentException("not an IP address: '" + text + "'");
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: '" + text + "'", e);
        }
    }

    private static TlsMode tlsMode(String text) {
        for (TlsMode mode : TlsMode.values()) {
            if (mode.name().equalsIgnoreCase(text)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("must be one of " + List.of(TlsMode.values()).toString()
                .toLowerCase(Locale.ROOT) + ", not '" + text + "'");
    }

    private static MailAddress mailbox(String text) {
        int at = text.lastIndexOf('@');
        if (at <= 0 || at == text.length() - 1) {
            throw new IllegalArgumentException("not a mail address: '" + text + "'");
        }
        return MailAddress.of(text.substring(0, at), text.substring(at + 1));
    }
}
