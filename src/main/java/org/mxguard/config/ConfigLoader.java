package org.mxguard.config;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.mxguard.admin.AdminSettings;
import org.mxguard.dns.DnsSettings;
import org.mxguard.evidence.MxSkipSettings;
import org.mxguard.evidence.StoreSettings;
import org.mxguard.mail.Domain;
import org.mxguard.mail.Reply;
import org.mxguard.policy.Cidr;
import org.mxguard.policy.PolicySettings;
import org.mxguard.policyservice.PolicyServiceSettings;
import org.mxguard.primary.PrimarySettings;
import org.mxguard.smtp.ProtectedDomains;
import org.mxguard.smtp.SmtpSettings;
import org.mxguard.spool.SpoolSettings;

/**
 * Reads the YAML configuration into {@link MxguardConfig}. Every key has a default (documented in
 * docs/configuration.md) except {@code protected-domains}; unknown keys and bad values are errors
 * that name file, line and key, all of them at once.
 */
public final class ConfigLoader {

    private ConfigLoader() {
    }

    /**
     * Reads the file for a command that talks to a running server or reads the rules: every check
     * of the file's own content, none of this host's.
     */
    public static MxguardConfig load(Path file) throws ConfigException {
        return load(file, false);
    }

    /**
     * Reads the file for {@code serve} and {@code check-config}: the content checks of {@link #load}
     * and everything serve needs from this host at start (TLS files, listen addresses, the spool,
     * log and control socket paths), so that a configuration check passes only what starts.
     */
    public static MxguardConfig loadForServing(Path file) throws ConfigException {
        return load(file, true);
    }

    private static MxguardConfig load(Path file, boolean serving) throws ConfigException {
        List<String> problems = new ArrayList<>();
        return bindAll(file, ConfigFile.read(file, problems), problems, serving);
    }

    /** The checks of {@link #load(Path)} on text already read, as if it were the file's content. */
    static MxguardConfig load(Path file, String text) throws ConfigException {
        List<String> problems = new ArrayList<>();
        return bindAll(file, ConfigFile.parse(file.toString(), text, problems), problems, false);
    }

    private static MxguardConfig bindAll(Path file, Section root, List<String> problems, boolean serving)
            throws ConfigException {
        MxguardConfig config;
        try {
            config = bind(file, root, problems, serving);
        } catch (IllegalArgumentException e) {
            // A settings record refused a combination the key-by-key checks let through.
            problems.add(file + ": " + e.getMessage());
            config = null;
        }
        if (!problems.isEmpty()) {
            problems.sort(Comparator.comparingInt(problem -> lineOf(file.toString(), problem)));
            throw new ConfigException(problems);
        }
        return config;
    }

    private static MxguardConfig bind(Path file, Section root, List<String> problems, boolean serving) {
        String hostname = root.string("hostname", defaultHostname());
        List<String> protectedDomains = root.strings("protected-domains", List.of());
        ProtectedDomains domains = null;
        if (protectedDomains.isEmpty()) {
            problems.add(root.at("protected-domains") + "required: the domains this backup MX accepts mail for");
        } else {
            try {
                domains = ProtectedDomains.of(protectedDomains);
            } catch (IllegalArgumentException e) {
                root.problem("protected-domains", e.getMessage());
            }
        }
        Path base = file.toAbsolutePath().getParent();
        SmtpSettings smtp = smtp(root.section("smtp"), hostname, protectedDomains, domains, serving);
        Section spoolSection = root.section("spool");
        SpoolSettings spool = spool(spoolSection);
        if (serving) {
            StartChecks.directory(spoolSection, "directory", spool.directory());
        }
        Section logSection = root.section("log");
        String logFile = logSection.string("file", "stdout");
        if (serving && !logFile.equals("stdout")) {
            StartChecks.file(logSection, "file", Path.of(logFile));
        }
        InetSocketAddress syslog = logSection.value("syslog", null, text -> resolvedHostPort(text, 514));
        if (syslog != null && logSection.has("file")) {
            logSection.problem("syslog", "give either file or syslog, not both");
        }
        LogSettings log = new LogSettings(logFile.equals("stdout") ? null : Path.of(logFile), syslog,
                logSection.string("syslog-name", LogSettings.DEFAULT_SYSLOG_NAME));
        logSection.finish();
        Section dnsSection = root.section("dns");
        DnsSettings dns = new DnsSettings(
                dnsSection.list("servers", List.of(), text -> resolvedHostPort(text, 53)),
                positive(dnsSection, "timeout", DnsSettings.DEFAULT_TIMEOUT),
                (int) dnsSection.integer("retries", DnsSettings.DEFAULT_RETRIES, 1, 10));
        boolean nameLookup = dnsSection.bool("client-name-lookup", true);
        dnsSection.finish();
        PolicySettings policy = policy(root.section("policy"), protectedDomains);
        DeliveryConfig delivery = DeliveryConfig.bind(root.section("delivery"), hostname, smtp.listen());
        MxSkipSettings mxSkip = MxSkipConfig.mxSkip(root.section("mx-skip"));
        StoreSettings evidence = MxSkipConfig.evidence(root.section("evidence"), spool.directory(), mxSkip, hostname);
        PrimarySettings primary = PrimaryConfig.bind(root.section("primary"));
        Section control = root.section("control");
        Path controlSocket = control.path("socket", spool.directory().resolve("control.sock"));
        if (serving) {
            StartChecks.socket(control, "socket", controlSocket);
        }
        control.finish();
        boolean policyServiceOn = root.has("policy-service");
        Section policyServiceSection = root.section("policy-service");
        PolicyServiceSettings policyService = policyServiceOn ? policyService(policyServiceSection, serving)
                : null;
        AdminSettings admin = admin(root.section("admin"));
        root.finish();
        return new MxguardConfig(file, smtp, spool, log, dns, nameLookup, policy, delivery, controlSocket,
                mxSkip, evidence, policyService, primary, admin);
    }

    /**
     * The admin listener: off without {@code listen}; a bare port binds loopback only. A token is
     * read from the file at load, so a server never starts with an unreadable one.
     */
    private static AdminSettings admin(Section s) {
        InetSocketAddress listen = s.value("listen", null,
                text -> text.matches("\\d+") ? new InetSocketAddress(InetAddress.getLoopbackAddress(),
                        Integer.parseInt(text)) : resolvedHostPort(text, 8025));
        String token = s.string("token", null);
        Path tokenFile = s.path("token-file", null);
        if (token != null && tokenFile != null) {
            s.problem("token-file", "give either token or token-file, not both");
        } else if (tokenFile != null) {
            try {
                token = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                s.problem("token-file", tokenFile + ": cannot read (" + e.getMessage() + ")");
            }
        }
        if (token != null && token.length() < 16) {
            s.problem(tokenFile != null ? "token-file" : "token", "the token must be at least 16 characters");
            token = null;
        }
        s.finish();
        if (listen == null) {
            return AdminSettings.OFF;
        }
        if (token == null && !listen.getAddress().isLoopbackAddress()) {
            s.problem("listen", listen + " is reachable from other hosts: set token or token-file");
            return AdminSettings.OFF;
        }
        return new AdminSettings(listen, token);
    }

    private static SmtpSettings smtp(Section s, String hostname, List<String> protectedDomains,
            ProtectedDomains domains, boolean serving) {
        SmtpSettings d = SmtpSettings.defaults();
        List<InetSocketAddress> listen = s.list("listen", List.of(new InetSocketAddress(25)),
                text -> resolvedHostPort(text, 25));
        if (serving) {
            StartChecks.listen(s, "listen", listen);
        }
        int relayDeniedCode = (int) s.integer("relay-denied-code", d.relayDeniedCode(), 454, 550);
        if (relayDeniedCode != 550 && relayDeniedCode != 454) {
            s.problem("relay-denied-code", "must be 550 (refuse) or 454 (try later), not " + relayDeniedCode);
            relayDeniedCode = 550;
        }
        String postmaster = s.value("postmaster-domain", d.postmasterDomain(), text -> Domain.parse(text).name());
        if (postmaster != null && domains != null && !domains.contains(Domain.parse(postmaster))) {
            // RFC 5321 §4.5.1: <postmaster> must reach someone, and only protected domains are delivered.
            s.problem("postmaster-domain", postmaster + " is not a protected domain");
            postmaster = null;
        }
        boolean routing = s.bool("allow-routing-characters", d.allowRoutingCharacters());
        int maxCommandLine = (int) s.integer("max-command-line", d.maxCommandLine(), 512, 65536);
        int lineLengthLimit = (int) s.integer("line-length-limit", d.lineLengthLimit(), 1000, 1_000_000);
        long maxMessageSize = s.size("max-message-size", d.maxMessageSize(), 1024);
        int maxRecipients = (int) s.integer("max-recipients", d.maxRecipients(), 100, 100_000);
        int maxConnections = (int) s.integer("max-connections", d.maxConnections(), 1, 1_000_000);
        int perClient = (int) s.integer("max-connections-per-client", d.maxConnectionsPerClient(), 0, 1_000_000);
        Duration commandTimeout = positive(s, "command-timeout", d.commandTimeout());
        Duration dataTimeout = positive(s, "data-timeout", d.dataTimeout());
        int hardErrors = (int) s.integer("hard-error-limit", d.hardErrorLimit(), 1, 10_000);
        int junkCommands = (int) s.integer("junk-command-limit", d.junkCommandLimit(), 1, 1_000_000);
        List<Cidr> exemptions = s.list("connection-limit-exemptions", d.connectionLimitExemptions(), Cidr::parse);
        Section tls = s.section("tls");
        Path cert = tls.path("certificate", null);
        Path key = tls.path("key", null);
        if ((cert == null) != (key == null)) {
            tls.problem(cert == null ? "certificate" : "key", "certificate and key are set together");
            cert = null;
            key = null;
        }
        if (serving) {
            StartChecks.tls(tls, cert, key);
        }
        tls.finish();
        SmtpSettings.BareLineFeed bareLf = s.value("bare-newline", d.bareLineFeed(),
                text -> switch (text.toLowerCase(Locale.ROOT)) {
                    case "reject" -> SmtpSettings.BareLineFeed.REJECT;
                    case "normalize" -> SmtpSettings.BareLineFeed.NORMALIZE;
                    default -> throw new IllegalArgumentException("must be reject or normalize, not '" + text + "'");
                });
        Duration pregreet = s.duration("pregreet-wait", d.pregreetWait());
        Duration nameTimeout = positive(s, "name-lookup-timeout", d.nameLookupTimeout());
        s.finish();
        return new SmtpSettings(hostname, listen, protectedDomains, relayDeniedCode, postmaster, routing,
                maxCommandLine, lineLengthLimit, maxMessageSize, maxRecipients, maxConnections,
                perClient == 0 ? Integer.MAX_VALUE : perClient, commandTimeout, dataTimeout, hardErrors, cert, key,
                bareLf, pregreet, nameTimeout, junkCommands, exemptions);
    }

    private static SpoolSettings spool(Section s) {
        Path dir = s.path("directory", Path.of("/var/spool/mxguard"));
        long minFree = s.size("min-free-space", SpoolSettings.DEFAULT_MIN_FREE_BYTES, 0);
        boolean fsync = s.bool("fsync", true);
        boolean syncDirectory = s.bool("sync-directory", false);
        boolean commitJournal = s.bool("commit-journal", true);
        s.finish();
        return new SpoolSettings(dir, minFree, fsync, syncDirectory, commitJournal);
    }

    private static PolicySettings policy(Section s, List<String> protectedDomains) {
        PolicySettings d = PolicySettings.DEFAULTS;
        Path rules = s.path("rules", null);
        boolean dryRun = s.bool("dry-run", d.dryRun());
        boolean softBounce = s.bool("soft-bounce", d.softBounce());
        Reply tempfail = s.value("tempfail-reply", d.tempfailReply(), text -> reply(text, 4));
        Reply reject = s.value("reject-reply", d.rejectReply(), text -> reply(text, 5));
        Duration reload = positive(s, "reload-interval", d.reloadInterval());
        s.finish();
        return new PolicySettings(rules, dryRun, softBounce, tempfail, reject, reload, protectedDomains);
    }

    /** Present only when the primary's Postfix is to report to mxguard (docs/policy-service.md). */
    private static PolicyServiceSettings policyService(Section s, boolean serving) {
        InetSocketAddress listen = s.value("listen",
                new InetSocketAddress(InetAddress.getLoopbackAddress(), PolicyServiceSettings.DEFAULT_PORT),
                text -> resolvedHostPort(text, PolicyServiceSettings.DEFAULT_PORT));
        if (serving) {
            StartChecks.listen(s, "listen", List.of(listen));
        }
        String primary = s.string("primary", null);
        boolean enforce = s.bool("enforce-blocks", false);
        int lineLength = (int) s.integer("max-line-length", PolicyServiceSettings.DEFAULT_MAX_LINE_LENGTH, 256,
                1_000_000);
        int attributes = (int) s.integer("max-attributes", PolicyServiceSettings.DEFAULT_MAX_ATTRIBUTES, 16, 10_000);
        Duration idle = positive(s, "idle-timeout", PolicyServiceSettings.DEFAULT_IDLE_TIMEOUT);
        int connections = (int) s.integer("max-connections", PolicyServiceSettings.DEFAULT_MAX_CONNECTIONS, 1,
                1_000_000);
        s.finish();
        return new PolicyServiceSettings(listen, primary, enforce, lineLength, attributes, idle, connections);
    }

    /** "451 4.7.1 Relaying Denied" as a reply of the given class. */
    static Reply reply(String text, int klass) {
        String[] parts = text.strip().split("\\s+", 3);
        if (parts.length < 3) {
            throw new IllegalArgumentException("a reply is 'CODE X.Y.Z text', as '451 4.7.1 Relaying Denied'");
        }
        try {
            Reply reply = Reply.of(Integer.parseInt(parts[0]), parts[1], parts[2]);
            if (reply.code() / 100 != klass) {
                throw new IllegalArgumentException("must be a " + klass + "xx reply, not " + reply.code());
            }
            return reply;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("reply code is not a number: '" + parts[0] + "'", e);
        }
    }

    /** The line a problem names ("file:12: ..."), so problems are listed in file order. */
    private static int lineOf(String file, String problem) {
        if (!problem.startsWith(file + ":")) {
            return 0;
        }
        int start = file.length() + 1;
        int end = start;
        while (end < problem.length() && Character.isDigit(problem.charAt(end))) {
            end++;
        }
        return end == start ? 0 : Integer.parseInt(problem.substring(start, end));
    }

    static Duration positive(Section s, String key, Duration fallback) {
        Duration value = s.duration(key, fallback);
        if (value.isZero() || value.isNegative()) {
            s.problem(key, "must be longer than zero");
            return fallback;
        }
        return value;
    }

    static InetSocketAddress resolvedHostPort(String text, int defaultPort) {
        InetSocketAddress unresolved = Units.parseHostPort(text, defaultPort);
        try {
            return new InetSocketAddress(InetAddress.getByName(unresolved.getHostString()), unresolved.getPort());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address: '" + text + "'", e);
        }
    }

    static String defaultHostname() {
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
