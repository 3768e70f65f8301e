package org.mxguard.loganalysis;

import java.util.List;
import org.mxguard.hostclass.DynamicHostClassifier;

/**
 * The judgement on one client: its statistics, its dial-up likeness, its score and whether it is
 * an offender (to block) or legitimate (never to be covered by a rule).
 */
final class ClientVerdict {

    final ClientStats stats;
    final DynamicHostClassifier.Verdict dynamic;
    final boolean contactedPrimary;
    final Score score;
    final boolean offender;
    final boolean legitimate;
    /** The parent domains of the client's name, nearest first, down to its registered domain. */
    final List<String> domains;

    ClientVerdict(ClientStats stats, boolean primaryChecked, boolean contactedPrimary, AnalyzerSettings settings) {
        this.stats = stats;
        // Most clients have no name, which the classifier judges without the address: not parsed then.
        this.dynamic = DynamicHostClassifier.classify(stats.name,
                stats.name == null ? null : NetworkPrefix.parse(stats.ip));
        this.contactedPrimary = contactedPrimary;
        this.score = Score.of(stats.nullTransactions(), stats.transactions(), dynamic.dynamic() ? 1 : 0,
                stats.name == null ? 1 : 0, stats.rejects, primaryChecked, contactedPrimary ? 1 : 0, 1);
        // Only end-user looking clients are blocked: a named server that sends bounces is not EMS.
        this.offender = !contactedPrimary && (dynamic.dynamic() || stats.name == null)
                && stats.nullTransactions() >= settings.minNullMessages()
                && stats.nullShare() >= settings.minNullShare()
                && score.value() >= settings.scoreThreshold();
        // Accepted mail with a real sender, a visit to the primary, or bounces from a named server make
        // a client legitimate. Refused attempts do not, nor a few null-sender messages from a dial-up
        // (below the offender thresholds, yet no reason to spare its network).
        boolean realSender = stats.messages > stats.nullMessages;
        boolean serverBounces = stats.messages > 0 && stats.name != null && !dynamic.dynamic();
        this.legitimate = !offender && (realSender || contactedPrimary || serverBounces);
        this.domains = Ranking.domainLevels(stats.name);
    }
}
