package org.mxguard.evidence;

import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.mxguard.mail.Domain;
import org.mxguard.maillog.MailLog;
import java.util.List;
import org.mxguard.policy.MemoryRuleSource;
import org.mxguard.policy.PolicySettings;
import org.mxguard.policy.RulesEngine;

/**
 * The MX-skip detection assembled: the rule, the automatic blocks fed into the policy engine, the
 * recorder the sources of primary contacts report into, and the block commands. Built once by the
 * composition root over an {@link EvidenceStore}.
 */
public final class MxSkip implements AutoCloseable {

    private final EvidenceStore store;
    private final MxSkipRule rule;
    private final BlockMaker blockMaker;
    private final BlockCommands commands;
    private final BlockRules blockRules;
    private final RulesEngine blockEngine;
    private final ContactRecorder recorder = this::record;
    private final Thread extender;
    private volatile boolean closed;

    private MxSkip(EvidenceStore store, MxSkipRule rule, BlockMaker blockMaker, BlockCommands commands,
            BlockRules blockRules, RulesEngine blockEngine) {
        this.blockEngine = blockEngine;
        this.store = store;
        this.rule = rule;
        this.blockMaker = blockMaker;
        this.commands = commands;
        this.blockRules = blockRules;
        this.extender = Thread.ofVirtual().name("block-extender").unstarted(this::extendLoop);
    }

    /** Once a minute: blocks that still refuse clients last longer. */
    private void extendLoop() {
        while (!closed) {
            LockSupport.parkNanos(TimeUnit.MINUTES.toNanos(1));
            if (!closed) {
                extendActiveBlocks();
            }
        }
    }

    /** Extends the automatic blocks that refused a client lately (the server does this every minute). */
    public void extendActiveBlocks() {
        blockRules.extendActive();
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(extender);
    }

    /**
     * @param policy the policy settings (the blocks' replies, dry-run and soft-bounce)
     * @param host this host's name, recorded with the blocks it makes
     */
    public static MxSkip assemble(MxSkipSettings settings, EvidenceStore store, PrimaryHealth health,
            Function<Domain, String> primaryNames, PolicySettings policy, String host, MailLog log, Clock clock) {
        if (policy.dryRun() && settings.mode() == MxSkipSettings.Mode.ENFORCE) {
            // The global dry-run switch makes every refusal warn-only, this rule's included.
            settings = settings.withMode(MxSkipSettings.Mode.OBSERVE);
        }
        BlockMaker maker = new BlockMaker(settings, store, host, log);
        MemoryRuleSource blockSource = new MemoryRuleSource("blocks", policy);
        RulesEngine blockEngine = new RulesEngine(List.of(blockSource), policy, (zone, address) -> List.of(), clock);
        MxSkipRule rule = new MxSkipRule(settings, store, health, primaryNames, maker, blockEngine, log, clock);
        BlockRules blockRules = new BlockRules(store, blockSource, settings.mode() == MxSkipSettings.Mode.OBSERVE,
                settings.blocks().expiry(), clock);
        MxSkip mxSkip = new MxSkip(store, rule, maker,
                new BlockCommands(store, rule, host, settings.blocks().expiry(), clock), blockRules, blockEngine);
        mxSkip.extender.start();
        return mxSkip;
    }

    /** The rule, to compose after the rule file's engine. */
    public MxSkipRule rule() {
        return rule;
    }

    /**
     * Where the policy service, the primary's log and the fleet report clients seen at a primary:
     * records the contact and lifts any automatic block that covers the client.
     */
    public ContactRecorder recorder() {
        return recorder;
    }

    private void record(PrimaryContact contact) {
        store.record(contact);
        blockMaker.lift(contact.client(), contact.clientName());
    }

    /** The blocks as a rule engine, for {@code policy check}. */
    public RulesEngine blocks() {
        return blockEngine;
    }

    public BlockCommands commands() {
        return commands;
    }

    public EvidenceStore store() {
        return store;
    }
}
