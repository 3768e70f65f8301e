package org.mxguard.evidence;

import java.time.Clock;
import java.util.function.Function;
import org.mxguard.mail.Domain;
import org.mxguard.maillog.MailLog;
import org.mxguard.policy.MemoryRuleSource;

/**
 * The MX-skip detection assembled: the rule, the automatic blocks fed into the policy engine, the
 * recorder the sources of primary contacts report into, and the block commands. Built once by the
 * composition root over an {@link EvidenceStore}.
 */
public final class MxSkip {

    private final EvidenceStore store;
    private final MxSkipRule rule;
    private final BlockMaker blockMaker;
    private final BlockCommands commands;

    private MxSkip(EvidenceStore store, MxSkipRule rule, BlockMaker blockMaker, BlockCommands commands) {
        this.store = store;
        this.rule = rule;
        this.blockMaker = blockMaker;
        this.commands = commands;
    }

    /**
     * @param blockSource the policy engine's source for blocks (asked after the rule file)
     * @param host this host's name, recorded with the blocks it makes
     */
    public static MxSkip assemble(MxSkipSettings settings, EvidenceStore store, PrimaryHealth health,
            Function<Domain, String> primaryNames, MemoryRuleSource blockSource, String host, MailLog log, Clock clock) {
        BlockMaker maker = new BlockMaker(settings, store, host, log);
        MxSkipRule rule = new MxSkipRule(settings, store, health, primaryNames, maker, log, clock);
        new BlockRules(store, blockSource, settings.mode() == MxSkipSettings.Mode.OBSERVE, clock);
        return new MxSkip(store, rule, maker, new BlockCommands(store, rule, host, settings.blocks().expiry(), clock));
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
