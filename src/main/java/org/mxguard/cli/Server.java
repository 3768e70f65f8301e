package org.mxguard.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.mxguard.admin.AdminServer;
import org.mxguard.admin.Metrics;
import org.mxguard.admin.MxSkipView;
import org.mxguard.admin.RuleHits;
import org.mxguard.admin.ServerInfo;
import org.mxguard.config.MxguardConfig;
import org.mxguard.control.ControlResponse;
import org.mxguard.control.ControlServer;
import org.mxguard.delivery.PrimaryCheck;
import org.mxguard.delivery.RecipientValidation;
import org.mxguard.dns.ClientNameLookup;
import org.mxguard.dns.DnsClient;
import org.mxguard.dns.DnsClientNameLookup;
import org.mxguard.dns.DnsblClient;
import org.mxguard.evidence.ContactRecorder;
import org.mxguard.evidence.EmbeddedStore;
import org.mxguard.evidence.EvidenceStore;
import org.mxguard.evidence.RedisStore;
import org.mxguard.evidence.MxSkip;
import org.mxguard.evidence.MxSkipSettings;
import org.mxguard.evidence.PrimaryHealth;
import org.mxguard.mail.Domain;
import org.mxguard.maillog.FileLogSink;
import org.mxguard.maillog.LogSink;
import org.mxguard.maillog.MailLog;
import org.mxguard.maillog.SyslogLogSink;
import org.mxguard.policy.Decision;
import org.mxguard.policy.FileRuleSource;
import org.mxguard.policy.PolicyEngine;
import org.mxguard.policy.PolicyParseException;
import org.mxguard.policy.RuleSource;
import org.mxguard.policy.RulesEngine;
import org.mxguard.policyservice.PolicyService;
import org.mxguard.primary.HealthProbe;
import org.mxguard.primary.PrimaryLogs;
import org.mxguard.smtp.ProtectedDomains;
import org.mxguard.smtp.SelfSignedCertificate;
import org.mxguard.smtp.SessionListener;
import org.mxguard.smtp.SmtpServer;
import org.mxguard.smtp.SmtpSettings;
import org.mxguard.smtp.SmtpdLogWriter;
import org.mxguard.spool.FileSpool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds every component from the configuration, wires them together and
 * owns their lifecycle. Start order: log, spool (with recovery), DNS, policy, the primary's policy
 * service, delivery, the primary's logs, SMTP listener, the primary's health probe, control socket;
 * stop order is the reverse, so no session is accepted that the spool cannot take and nothing is
 * delivered after the spool closed.
 */
final class Server implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Server.class);

    private final MxguardConfig config;
    private final Clock clock;
    private final List<AutoCloseable> started = new ArrayList<>();
    private FileRuleSource rules;
    private volatile LogSink mailLogSink = LogSink.DISCARD;
    private SmtpServer smtp;
    private QueueService queue;
    private AdminServer admin;
    private PolicyService policyService;
    /** Null when the MX-skip rule is off. */
    private volatile MxSkip mxSkip;
    /** Whether each domain's primary answers; every primary counts as up until a probe says otherwise. */
    private volatile PrimaryHealth primaryHealth = PrimaryHealth.ALWAYS_UP;
    /** True when a caller gave the primary health: then no probe replaces it. */
    private volatile boolean primaryHealthGiven;
    /** The clients' names when given (the demo's loopback clients have no PTR records); null: DNS or none. */
    private volatile ClientNameLookup clientNames;
    /** Where the primary's log reports its clients; null: {@link #contacts()}. */
    private final ContactRecorder logContacts;
    private PrimaryLogs primaryLogs;

    Server(MxguardConfig config, Clock clock) {
        this(config, clock, null);
    }

    /**
     * @param logContacts where the clients seen in the primary's log go, instead of the MX-skip
     *     rule's evidence store (tests)
     */
    Server(MxguardConfig config, Clock clock, ContactRecorder logContacts) {
        this.config = config;
        this.clock = clock;
        this.logContacts = logContacts;
    }

    /** Names the clients with {@code names} instead of reverse DNS lookups; before {@link #start}. */
    void clientNames(ClientNameLookup names) {
        this.clientNames = names;
    }

    /** Replaces the primary health the MX-skip rule asks (a test's); the health probe then does not run. */
    void primaryHealth(PrimaryHealth health) {
        this.primaryHealth = health;
        this.primaryHealthGiven = true;
    }

    /** Starts everything; on failure, stops what was started and rethrows. */
    void start() throws IOException, PolicyParseException {
        try {
            LogSink sink = logSink();
            mailLogSink = sink;
            started.add(sink);   // closed last: what the others log while stopping still gets written
            MailLog mailLog = new MailLog(config.smtp().hostname(), config.log().syslogName(), clock, sink);
            FileSpool spool = FileSpool.open(config.spool(), clock);
            started.add(spool);
            int recovered = spool.recover().size();
            LOG.info("spool {}: {} messages recovered", config.spool().directory(), recovered);

            DnsClient dns = new DnsClient(config.dns());
            ClientNameLookup names = clientNames != null ? clientNames : config.clientNameLookup()
                    ? new DnsClientNameLookup(dns, config.smtp().nameLookupTimeout()) : ClientNameLookup.NONE;
            DnsblClient dnsbl = new DnsblClient(dns);
            List<RuleSource> sources = new ArrayList<>();
            if (config.policy().rulesFile() != null) {
                rules = FileRuleSource.open(config.policy().rulesFile(), config.policy(), clock);
                rules.startPolling();
                started.add(rules);
                sources.add(rules);
            }
            RulesEngine rulesEngine = new RulesEngine(sources, config.policy(), dnsbl::lookup, clock);
            PolicyEngine policy = rulesEngine;
            EvidenceStore store = null;
            if (config.mxSkip().mode() != MxSkipSettings.Mode.OFF) {
                // Either store reads its blocks now and the rest once the listener is up.
                store = config.evidence().redis() == null ? EmbeddedStore.openLoadingLater(config.evidence(), clock)
                        : RedisStore.openLoadingLater(config.evidence(), clock);
                started.add(store);
                // After the rule file, so an accept rule there exempts a client from the rule and the blocks.
                // Read at each decision, so the health probe may be set up before or after this.
                PrimaryHealth health = domain -> primaryHealth.primaryUp(domain);
                mxSkip = MxSkip.assemble(config.mxSkip(), store, health,
                        new PrimaryNames(config.delivery().settings().routes(), dns, clock), config.policy(),
                        config.evidence().redis() == null ? config.smtp().hostname() : config.evidence().redis().host(),
                        mailLog, clock);
                started.add(mxSkip);
                policy = new FirstVerdict(rulesEngine, mxSkip.rule());
            }
            if (config.policyService() != null) {
                startPolicyService(rulesEngine);
            }

            queue = QueueService.start(config, spool, dns, mailLog, clock);
            started.add(queue);
            RuleHits ruleHits = new RuleHits(sources);
            Metrics metrics = new Metrics(queue.admin(), ruleHits, clock);
            started.add(metrics);
            metrics.startSampling();
            queue.addDeliveryListener(metrics.deliveries());
            MxSkipView mxSkipView = mxSkip == null ? null : new MxSkipView(mxSkip,
                    domain -> primaryHealth.primaryUp(domain), config.smtp().protectedDomains().stream()
                    .filter(d -> !d.startsWith(".")).map(Domain::parse).toList());
            if (mxSkipView != null) {
                metrics.watch(mxSkipView, clock);
            }

            primaryLogs = PrimaryLogs.start(config.primary(), logContacts == null ? contacts() : logContacts, clock,
                    config.log().syslogName());
            started.add(primaryLogs);

            List<SessionListener> listeners = List.of(new SmtpdLogWriter(mailLog), queue::onSessionEvent,
                    metrics.sessions());
            smtp = new SmtpServer(withCertificate(config.smtp()), spool, policy, names, listeners, clock);
            smtp.setEtrnQueue(queue::etrn);
            RecipientValidation recipients = RecipientValidation.create(config.delivery().recipients(),
                    config.delivery().settings(), dns, mailLog, clock, config.spool().directory().resolve("verify-cache"));
            if (recipients.active()) {
                smtp.setRecipientCheck(recipients);
                LOG.info("recipient validation: {}", config.delivery().recipients());
            }
            smtp.start();
            started.add(smtp);
            if (store != null) {
                store.startLoading();
            }
            // After the listener: a route that leads back here finds mxguard greeting, not a closed port.
            if (config.primary().probe().enabled() && !primaryHealthGiven) {
                PrimaryCheck check = new PrimaryCheck(config.delivery().settings(), dns, mailLog,
                        config.primary().probe().timeout());
                ProtectedDomains protectedDomains = ProtectedDomains.of(config.smtp().protectedDomains());
                HealthProbe probe = new HealthProbe(probedDomains(protectedDomains), protectedDomains::contains,
                        check::check, config.primary().probe(), clock);
                probe.start();
                started.add(probe);
                primaryHealth = probe;
            }

            ControlServer control = new ControlServer(config.controlSocket());
            queue.registerControl(control);
            control.register("policy-reload", args -> ControlResponse.ok(List.of(reloadPolicy().split("\n"))));
            control.register("policy-stats", args -> ControlResponse.ok(ruleHits.render()));
            if (mxSkip != null) {
                BlockControl.register(control, mxSkip, rulesEngine);
            }
            control.start();
            started.add(control);
            if (config.admin().listen() != null) {
                admin = new AdminServer(config.admin(), queue.admin(), ruleHits, metrics,
                        new ServerInfo(VersionCommand.version(), clock.instant(),
                                smtp.boundAddresses().stream().map(a -> a.getAddress().getHostAddress() + ":"
                                        + a.getPort()).toList(), config.smtp().protectedDomains()), clock);
                if (mxSkipView != null) {
                    admin.watch(mxSkipView);
                }
                admin.start();
                started.add(admin);
            }
            LOG.info("mxguard {} listening on {} for {}", VersionCommand.version(), smtp.boundAddresses(),
                    config.smtp().protectedDomains());
        } catch (IOException | PolicyParseException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * The domains probed from the start: the protected domains by name, and the protected domains
     * of {@code delivery.routes} (a route's host is that domain's primary). The others under a
     * protected subtree ({@code .example.org}) or literal are probed once mail comes for them.
     */
    private List<Domain> probedDomains(ProtectedDomains protectedDomains) {
        Set<Domain> domains = new LinkedHashSet<>();
        config.smtp().protectedDomains().stream()
                .filter(d -> !d.startsWith(".") && !d.startsWith("["))
                .map(Domain::parse)
                .forEach(domains::add);
        config.delivery().settings().routes().keySet().stream().filter(protectedDomains::contains).forEach(domains::add);
        return List.copyOf(domains);
    }

    /** Whether each protected domain's primary answers: the health probe, or always up when it is off. */
    PrimaryHealth primaryHealth() {
        return primaryHealth;
    }

    /** The primary's followed logs and syslog receiver (tests read the receiver's bound ports). */
    PrimaryLogs primaryLogs() {
        return primaryLogs;
    }

    /**
     * The primary's Postfix reports its clients into the evidence ({@link #contacts()}; with the
     * MX-skip rule off they are only counted). Enforced there, if asked: the rule file, then the
     * blocks. Never the MX-skip rule: a client at the primary is doing what the rule asks.
     */
    private void startPolicyService(RulesEngine rulesEngine) throws IOException {
        if (config.policyService().enforceBlocks() && mxSkip == null) {
            LOG.warn("policy-service.enforce-blocks is set but mx-skip is off: there are no blocks to enforce");
        }
        PolicyEngine blocks = query -> {
            MxSkip m = mxSkip;
            return m == null ? Decision.CONTINUE : m.blocks().decide(query);
        };
        policyService = new PolicyService(config.policyService(), contacts(), new FirstVerdict(rulesEngine, blocks),
                clock);
        policyService.start();
        started.add(policyService);
    }

    /**
     * STARTTLS out of the box: without a configured certificate, the self-signed one kept in the
     * spool directory (made on the first start).
     */
    private SmtpSettings withCertificate(SmtpSettings smtp) throws IOException {
        if (smtp.tlsEnabled()) {
            return smtp;
        }
        Path directory = config.spool().directory().resolve("tls");
        SelfSignedCertificate.PemPair pair = SelfSignedCertificate.ensure(directory, smtp.hostname(), clock);
        LOG.info("STARTTLS: no smtp.tls.certificate configured; {} the self-signed certificate for {} in {} "
                + "(opportunistic TLS only: configure a CA-signed certificate for clients that verify)",
                pair.created() ? "made" : "using", smtp.hostname(), directory);
        return smtp.withTls(pair.certificate(), pair.key());
    }

    private LogSink logSink() throws IOException {
        if (config.log().syslog() != null) {
            return new SyslogLogSink(config.log().syslog());
        }
        return config.log().file() == null ? FileLogSink.stdout(System.out) : FileLogSink.append(config.log().file());
    }

    /** SIGHUP: after logrotate renamed the mail log, later lines go to a new file of the configured name. */
    void reopenMailLog() {
        mailLogSink.reopen();
    }

    /** SIGHUP and {@code mxguard policy reload}: reads the rules file again. */
    String reloadPolicy() {
        if (rules == null) {
            return "no rules file configured";
        }
        return switch (rules.reload()) {
            case FileRuleSource.ReloadResult.Loaded loaded -> "loaded " + loaded.rules() + " rules from "
                    + config.policy().rulesFile();
            case FileRuleSource.ReloadResult.Kept kept -> "kept the " + kept.rulesInForce()
                    + " rules in force; the file has errors:\n" + kept.errors();
        };
    }

    /**
     * Where the sources of primary contacts (policy service, primary log) report: the MX-skip
     * rule's store, or nothing when the rule is off. Safe to hand out before the rule is built:
     * it looks the rule up at each contact.
     */
    ContactRecorder contacts() {
        return contact -> {
            MxSkip m = mxSkip;
            if (m != null) {
                m.recorder().record(contact);
            }
        };
    }

    Path controlSocketPath() {
        return config.controlSocket();
    }

    MxSkip mxSkip() {
        return mxSkip;
    }

    /** The evidence store, or null when the MX-skip rule is off. */
    EvidenceStore evidenceStore() {
        return mxSkip == null ? null : mxSkip.store();
    }

    /** The admin listener's address, or null when it is off. */
    java.net.InetSocketAddress adminAddress() {
        return admin == null ? null : admin.address();
    }

    /** The policy service's port (tests listen on port 0), or -1 when it is not configured. */
    int policyServicePort() {
        return policyService == null ? -1 : policyService.port();
    }

    /** How many clients of the primary the policy service reported. */
    long primaryContacts() {
        return policyService == null ? 0 : policyService.contacts();
    }

    /** The messages queued now, held ones included. */
    int queued() throws IOException {
        return queue.admin().list().size();
    }

    /** The SMTP port actually bound (tests listen on port 0). */
    int smtpPort() {
        return smtp.port();
    }

    InetAddress smtpAddress() {
        return smtp.boundAddresses().getFirst().getAddress();
    }

    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                LOG.warn("while stopping {}: {}", started.get(i).getClass().getSimpleName(), e.toString());
            }
        }
        started.clear();
    }
}
