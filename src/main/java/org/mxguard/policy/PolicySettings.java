package org.mxguard.policy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.mxguard.mail.Reply;

/**
 * The policy's settings, from the main configuration.
 *
 * @param rulesFile the rule file, or null for no file rules
 * @param dryRun log every refusal as a warning and let the mail through (Postfix's warn_if_reject)
 * @param softBounce turn every 5xx refusal into the matching 4xx (Postfix's soft_bounce)
 * @param tempfailReply the reply of {@code tempfail} rules without {@code with}
 * @param rejectReply the reply of {@code reject} rules without {@code with}
 * @param reloadInterval how often the rule file's modification time is checked
 * @param protectedDomains the configured protected-domains entries, against which the null-sender
 *     guard judges {@code to} conditions; empty when not known
 */
public record PolicySettings(Path rulesFile, boolean dryRun, boolean softBounce, Reply tempfailReply,
        Reply rejectReply, Duration reloadInterval, List<String> protectedDomains) {

    public static final Reply DEFAULT_TEMPFAIL = Reply.of(451, "4.7.1", "Relaying Denied");
    public static final Reply DEFAULT_REJECT = Reply.of(550, "5.7.1", "Access denied");
    /** RFC 5321 §3.8: a server that closes the channel says 421 first. */
    public static final Reply DISCONNECT = Reply.of(421, "4.7.0", "Access denied, closing connection");
    /** RFC 5321 §3.1: 554 instead of the greeting refuses the whole session. */
    public static final Reply DISCONNECT_AT_CONNECT = Reply.of(554, "5.7.1", "Access denied");

    public static final PolicySettings DEFAULTS = new PolicySettings(null, false, false, DEFAULT_TEMPFAIL,
            DEFAULT_REJECT, Duration.ofSeconds(5), List.of());

    public PolicySettings {
        protectedDomains = List.copyOf(protectedDomains);
        if (tempfailReply == null || !tempfailReply.isTransient()) {
            throw new IllegalArgumentException("policy.tempfailReply must be a 4xx reply: " + tempfailReply);
        }
        if (rejectReply == null || !rejectReply.isPermanent()) {
            throw new IllegalArgumentException("policy.rejectReply must be a 5xx reply: " + rejectReply);
        }
        if (reloadInterval == null || reloadInterval.isNegative() || reloadInterval.isZero()) {
            throw new IllegalArgumentException("policy.reloadInterval must be positive: " + reloadInterval);
        }
    }

    /** Settings that do not know the protected domains. */
    public PolicySettings(Path rulesFile, boolean dryRun, boolean softBounce, Reply tempfailReply, Reply rejectReply,
            Duration reloadInterval) {
        this(rulesFile, dryRun, softBounce, tempfailReply, rejectReply, reloadInterval, List.of());
    }

    /** The guard that refuses rules refusing every bounce, judged against these protected domains. */
    public NullSenderGuard nullSenderGuard() {
        return new NullSenderGuard(protectedDomains);
    }

    public PolicySettings withRulesFile(Path file) {
        return new PolicySettings(file, dryRun, softBounce, tempfailReply, rejectReply, reloadInterval, protectedDomains);
    }

    public PolicySettings withDryRun(boolean on) {
        return new PolicySettings(rulesFile, on, softBounce, tempfailReply, rejectReply, reloadInterval, protectedDomains);
    }

    public PolicySettings withSoftBounce(boolean on) {
        return new PolicySettings(rulesFile, dryRun, on, tempfailReply, rejectReply, reloadInterval, protectedDomains);
    }
}
