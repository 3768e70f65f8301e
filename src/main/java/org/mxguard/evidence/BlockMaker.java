package org.mxguard.evidence;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.mxguard.maillog.MailLog;
import org.mxguard.policy.Cidr;

/**
 * Turns the MX-skip rule's catches into blocks. After each catch it looks at the client's sources
 * (its /24 and /16, or /64 and /48, and its rDNS subdomain); a source whose caught clients pass the
 * thresholds, and which holds no client ever seen at a primary or with retry credit and no allowed
 * network, is blocked until the configured expiry, and the block is extended while the catches go
 * on. A wider network is blocked only when its catches span more than one of its narrower networks:
 * five clients in one /24 make a /24 block, not a /16 one.
 */
public final class BlockMaker {

    /** Extending a block rewrites it; do so only when it gains at least this much. */
    private static final Duration EXTEND_STEP = Duration.ofHours(1);

    private final MxSkipSettings settings;
    private final EvidenceStore store;
    private final String host;
    private final MailLog log;
    /** The automatic blocks, refreshed when they change: a contact checks them without a copy. */
    private volatile Block[] automatic = new Block[0];

    public BlockMaker(MxSkipSettings settings, EvidenceStore store, String host, MailLog log) {
        this.settings = settings;
        this.store = store;
        this.host = host;
        this.log = log;
        store.onBlocksChanged(this::refresh);
        refresh();
    }

    private void refresh() {
        automatic = store.blocks().stream().filter(b -> b.origin() == Block.Origin.AUTOMATIC).toArray(Block[]::new);
    }

    void consider(InetAddress client, String verifiedName, Instant now) {
        MxSkipSettings.BlockThresholds t = settings.blocks();
        if (!t.enabled()) {
            return;
        }
        for (String source : Sources.of(client, verifiedName)) {
            Aggregate a = store.aggregate(source);
            if (a == null || a.clients().size() < t.minClients() || a.nullSenderShare() < t.minNullSenderShare()) {
                continue;
            }
            if (store.covered(source) || touchesAllowed(source) || (Sources.isNetwork(source) && !spansNarrower(a, source))) {
                continue;
            }
            Instant until = now.plus(t.expiry());
            String evidence = evidence(a);
            String rule = "tempfail client" + (Sources.isNetwork(source) ? " " : "-name ") + source + " until " + until
                    + " because \"mx-skip automatic block: " + evidence + "\"";
            Block existing = store.block(source);
            if (existing == null) {
                store.putBlock(new Block(source, Block.Origin.AUTOMATIC, host, now, until, rule, evidence));
                log.log("mx-skip", "block: " + source + " until " + until + ": " + evidence);
            } else if (existing.origin() == Block.Origin.AUTOMATIC && existing.expires() != null
                    && until.isAfter(existing.expires().plus(EXTEND_STEP))) {
                store.putBlock(existing.extended(until, rule, evidence));
            }
        }
    }

    private boolean touchesAllowed(String source) {
        if (!Sources.isNetwork(source)) {
            return false;
        }
        Cidr network = Cidr.parse(source);
        for (Cidr allowed : settings.allow()) {
            if (allowed.contains(network) || network.contains(allowed)) {
                return true;
            }
        }
        return false;
    }

    /** True when the caught clients of a /16 or /48 lie in at least two of its /24s or /64s. */
    private static boolean spansNarrower(Aggregate a, String source) {
        Cidr network = Cidr.parse(source);
        int narrow = network.v4() ? Sources.V4[0] : Sources.V6[0];
        if (network.length() >= narrow) {
            return true;
        }
        Set<Cidr> narrower = new HashSet<>();
        for (String client : a.clients()) {
            narrower.add(Cidr.parse(client).truncate(narrow));
            if (narrower.size() > 1) {
                return true;
            }
        }
        return false;
    }

    private static String evidence(Aggregate a) {
        return a.clients().size() + (a.clients().size() >= Aggregate.MAX_CLIENTS ? "+" : "") + " clients caught "
                + a.attempts() + " times since " + a.first() + ", " + Math.round(a.nullSenderShare() * 100)
                + "% null sender, none seen at a primary, none with retry credit";
    }

    /**
     * Lifts the automatic blocks that cover a client just seen at a primary: a block never stands
     * between the primary's own correspondents and this backup. Retry credit lifts nothing (a chance
     * repeat by spamware earns it too); it only exempts the client that earned it.
     */
    void lift(InetAddress client, String verifiedName) {
        Block[] blocks = automatic;
        if (blocks.length == 0) {
            return;
        }
        Cidr address = Cidr.of(client);
        String sub = Sources.subdomain(verifiedName);
        for (Block b : blocks) {
            boolean covers = Sources.isNetwork(b.target()) ? Cidr.parse(b.target()).contains(address)
                    : sub != null && (sub.equals(b.target()) || sub.endsWith(b.target()));
            if (covers && store.removeBlock(b.target())) {
                log.log("mx-skip", "block lifted: " + b.target() + ": client " + address + " seen at a primary");
            }
        }
    }
}
