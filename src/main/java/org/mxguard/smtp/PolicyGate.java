package org.mxguard.smtp;

import org.mxguard.mail.Reply;
import org.mxguard.policy.Decision;
import org.mxguard.policy.PolicyEngine;
import org.mxguard.policy.PolicyQuery;
import org.mxguard.policy.RuleRef;
import org.mxguard.policy.Stage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's dealings with the {@link PolicyEngine}. Disconnect acts at once; Tempfail and Reject
 * from CONNECT, HELO and MAIL are held and bite at each RCPT (Postfix's {@code smtpd_delay_reject =
 * yes}), in stage order; Accept stops later questions for its scope (connection, HELO, transaction,
 * recipient); a {@code warnOnly} verdict is reported and ignored.
 */
final class PolicyGate {

    /** Where the gate reports refusals and warnings, with the session's client, sender and recipient. */
    @FunctionalInterface
    interface Reporter {
        void report(Reply reply, RuleRef rule, boolean warnOnly);
    }

    /**
     * What the session does next.
     *
     * @param reply the refusal to send, or null to go on
     * @param disconnect true to close after the reply
     */
    record Outcome(Reply reply, boolean disconnect) {
        static final Outcome PASS = new Outcome(null, false);

        boolean passes() {
            return reply == null;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(PolicyGate.class);

    private final PolicyEngine policy;
    private Decision heldConnect;
    private Decision heldHelo;
    private boolean acceptedConnection;
    private boolean acceptedHelo;

    PolicyGate(PolicyEngine policy) {
        this.policy = policy;
    }

    /** Asks at CONNECT, HELO or MAIL; only a Disconnect comes back as a refusal. */
    Outcome ask(PolicyQuery query, Transaction transaction, Reporter reporter) {
        if (query.stage() == Stage.HELO) {
            heldHelo = null;
            acceptedHelo = false;
        }
        if (accepted(transaction)) {
            return Outcome.PASS;
        }
        Decision verdict = decide(query);
        if (verdict instanceof Decision.Disconnect d) {
            reporter.report(d.reply(), d.rule(), d.warnOnly());
            return d.warnOnly() ? Outcome.PASS : new Outcome(d.reply(), true);
        }
        Decision held = verdict instanceof Decision.Tempfail || verdict instanceof Decision.Reject ? verdict : null;
        boolean accept = verdict instanceof Decision.Accept;
        switch (query.stage()) {
            case CONNECT -> {
                heldConnect = held;
                acceptedConnection = accept;
            }
            case HELO -> {
                heldHelo = held;
                acceptedHelo = accept;
            }
            case MAIL -> {
                transaction.heldVerdict = held;
                transaction.acceptedByPolicy = accept;
            }
            case RCPT -> throw new IllegalArgumentException("RCPT goes through atRcpt");
        }
        return Outcome.PASS;
    }

    /** At each RCPT (after relay control): the held verdicts in stage order, then the RCPT rules. */
    Outcome atRcpt(PolicyQuery query, Transaction transaction, Reporter reporter) {
        for (Decision held : new Decision[] {heldConnect, heldHelo, transaction.heldVerdict}) {
            Outcome outcome = apply(held, reporter);
            if (!outcome.passes()) {
                return outcome;
            }
        }
        if (accepted(transaction)) {
            return Outcome.PASS;
        }
        return apply(decide(query), reporter);
    }

    /** A policy that fails is a temporary server problem, never an open door nor a crash. */
    private Decision decide(PolicyQuery query) {
        try {
            return policy.decide(query);
        } catch (RuntimeException e) {
            LOG.error("policy failed on {}", query, e);
            return new Decision.Tempfail(Replies.POLICY_FAILURE, null, "policy failure: " + e, false);
        }
    }

    /** STARTTLS: what the client said before TLS no longer counts (RFC 3207 §4.2). */
    void forgetHelo() {
        heldHelo = null;
        acceptedHelo = false;
    }

    private boolean accepted(Transaction transaction) {
        return acceptedConnection || acceptedHelo || (transaction != null && transaction.acceptedByPolicy);
    }

    private static Outcome apply(Decision verdict, Reporter reporter) {
        return switch (verdict) {
            case null -> Outcome.PASS;
            case Decision.Tempfail t -> refuse(t.reply(), t.rule(), t.warnOnly(), false, reporter);
            case Decision.Reject r -> refuse(r.reply(), r.rule(), r.warnOnly(), false, reporter);
            case Decision.Disconnect d -> refuse(d.reply(), d.rule(), d.warnOnly(), true, reporter);
            case Decision.Accept ignored -> Outcome.PASS;
            case Decision.Continue ignored -> Outcome.PASS;
        };
    }

    private static Outcome refuse(Reply reply, RuleRef rule, boolean warnOnly, boolean disconnect,
            Reporter reporter) {
        reporter.report(reply, rule, warnOnly);
        return warnOnly ? Outcome.PASS : new Outcome(reply, disconnect);
    }
}
