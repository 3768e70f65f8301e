package org.mxguard.evidence;

import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.mxguard.mail.Domain;
import org.mxguard.maillog.MailLog;
import org.mxguard.policy.MemoryRuleSource;

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
    private final Thread extender;
    private volatile boolean closed;

    private MxSkip(EvidenceStore store, MxSkipRule rule, BlockMaker blockMaker, BlockCommands commands,
            BlockRules blockRules) {
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
     * @param blockSource the policy engine's source for blocks (asked after the rule file)
     * @param host this host's name, recorded with the blocks it makes
     */
    public static MxSkip assemble(MxSkipSettings settings, EvidenceStore store, PrimaryHealth health,
            Function<Domain, String> primaryNames, MemoryRuleSource blockSource, String host, MailLog log, Clock clock) {
        BlockMaker maker = new BlockMaker(settings, store, host, log);
        MxSkipRule rule = new MxSkipRule(settings, store, health, primaryNames, maker, log, clock);
        BlockRules blockRules = new BlockRules(store, blockSource, settings.mode() == MxSkipSettings.Mode.OBSERVE,
                settings.blocks().expiry(), clock);
        MxSkip mxSkip = new MxSkip(store, rule, maker,
                new BlockCommands(store, rule, host, settings.blocks().expiry(), clock), blockRules);
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
        return contact -> {
            store.record(contact);
            blockMaker.lift(contact.client(), contact.clientName());
        };
    }

    public BlockCommands commands() {
        return commands;
    }

    public EvidenceStore store() {
        return store;
    }
}
