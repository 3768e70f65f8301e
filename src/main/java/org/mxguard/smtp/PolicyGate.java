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
 *
 * <p>The gate keeps the connection-scope verdicts (CONNECT, HELO). The MAIL verdict belongs to the
 * transaction: {@link #atMail} returns it and the session stores it in its {@link Transaction}.
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

    /**
     * The verdict at MAIL, for the session's transaction.
     *
     * @param outcome a Disconnect's refusal, or pass
     * @param held a Tempfail or Reject held until RCPT, or null
     * @param accepted true if a rule accepted the transaction: no more rules are asked for it
     */
    record MailVerdict(Outcome outcome, Decision held, boolean accepted) {
        static final MailVerdict PASS = new MailVerdict(Outcome.PASS, null, false);
    }

    /** Asks at CONNECT or HELO; only a Disconnect comes back as a refusal. */
    Outcome ask(PolicyQuery query, Reporter reporter) {
        if (query.stage() == Stage.HELO) {
            heldHelo = null;
            acceptedHelo = false;
        }
        if (acceptedConnection || acceptedHelo) {
            return Outcome.PASS;
        }
        Decision verdict = decide(query);
        Outcome disconnect = disconnect(verdict, reporter);
        if (disconnect != null) {
            return disconnect;
        }
        switch (query.stage()) {
            case CONNECT -> {
                heldConnect = held(verdict);
                acceptedConnection = verdict instanceof Decision.Accept;
            }
            case HELO -> {
                heldHelo = held(verdict);
                acceptedHelo = verdict instanceof Decision.Accept;
            }
            case MAIL, RCPT -> throw new IllegalArgumentException(query.stage() + " goes through atMail/atRcpt");
        }
        return Outcome.PASS;
    }

    /** Asks at MAIL; the session keeps what comes back with its transaction. */
    MailVerdict atMail(PolicyQuery query, Reporter reporter) {
        if (acceptedConnection || acceptedHelo) {
            return MailVerdict.PASS;
        }
        Decision verdict = decide(query);
        Outcome disconnect = disconnect(verdict, reporter);
        if (disconnect != null) {
            return new MailVerdict(disconnect, null, false);
        }
        return new MailVerdict(Outcome.PASS, held(verdict), verdict instanceof Decision.Accept);
    }

    /**
     * At each RCPT (after relay control): the held verdicts in stage order, then the RCPT rules.
     *
     * @param heldAtMail the transaction's held MAIL verdict, or null
     * @param acceptedAtMail whether a rule accepted the transaction at MAIL
     */
    Outcome atRcpt(PolicyQuery query, Decision heldAtMail, boolean acceptedAtMail, Reporter reporter) {
        for (Decision held : new Decision[] {heldConnect, heldHelo, heldAtMail}) {
            Outcome outcome = apply(held, reporter);
            if (!outcome.passes()) {
                return outcome;
            }
        }
        if (acceptedConnection || acceptedHelo || acceptedAtMail) {
            return Outcome.PASS;
        }
        return apply(decide(query), reporter);
    }

    /** A Disconnect's refusal (reported), or null for every other verdict. */
    private static Outcome disconnect(Decision verdict, Reporter reporter) {
        if (verdict instanceof Decision.Disconnect d) {
            reporter.report(d.reply(), d.rule(), d.warnOnly());
            return d.warnOnly() ? Outcome.PASS : new Outcome(d.reply(), true);
        }
        return null;
    }

    private static Decision held(Decision verdict) {
        return verdict instanceof Decision.Tempfail || verdict instanceof Decision.Reject ? verdict : null;
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
