package org.mxguard.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.loganalysis.Proposal;
import org.mxguard.loganalysis.RuleRenderer;
import org.mxguard.loganalysis.Score;
import org.mxguard.maillog.LogSink;
import org.mxguard.maillog.MailLog;
import org.mxguard.policy.PolicySettings;
import org.mxguard.policy.Rule;
import org.mxguard.policy.RuleFileReader;

/** The analyzer's proposals, as {@code mxguard analyze --emit-rules} writes them, become blocks. */
class BlockImportTest {

    private static final Instant T0 = Instant.parse("2026-12-06T06:00:00Z");

    @TempDir
    Path dir;

    @Test
    void everyProposalOfTheAnalyzerImportsAsABlock() throws Exception {
        List<Proposal> proposals = List.of(
                new Proposal(Proposal.Kind.NETWORK, "198.51.100.0/24", new Score(9, List.of()), 6, 40, 40, 0, 0, 0,
                        List.of(), false),
                new Proposal(Proposal.Kind.NAME, ".dyn.isp.example", new Score(7, List.of()), 4, 12, 14, 0, 0, 0,
                        List.of(), false));
        String text = RuleRenderer.render(RuleRenderer.Format.MXGUARD, proposals, LocalDate.of(2026, 12, 20));
        Clock clock = Clock.fixed(T0, ZoneOffset.UTC);
        try (EmbeddedStore store = EmbeddedStore.open(StoreSettings.defaults(dir), clock)) {
            MxSkip mx = MxSkip.assemble(MxSkipSettings.defaults(), store, PrimaryHealth.ALWAYS_UP, d -> "mx1.test",
                    PolicySettings.DEFAULTS, "backup.test", new MailLog("backup.test", "mxguard", clock, LogSink.DISCARD),
                    clock);
            for (Rule rule : RuleFileReader.parse("proposals", text)) {
                mx.commands().importRule(List.of(rule.render().split(" ")));
            }
            assertThat(store.blocks()).extracting(Block::target, Block::origin).containsExactlyInAnyOrder(
                    org.assertj.core.groups.Tuple.tuple("198.51.100.0/24", Block.Origin.IMPORTED),
                    org.assertj.core.groups.Tuple.tuple(".dyn.isp.example", Block.Origin.IMPORTED));
            assertThat(store.blocks()).allSatisfy(b -> assertThat(b.expires()).isAfter(T0.plus(Duration.ofDays(13))));
            assertThat(mx.commands().list()).anyMatch(l -> l.startsWith("198.51.100.0/24\timported"));
            mx.close();
        }
    }
}
