package org.mxguard.policyservice;

import java.net.InetAddress;
import java.time.Clock;
import java.util.concurrent.atomic.LongAdder;
import org.mxguard.evidence.ContactRecorder;
import org.mxguard.evidence.PrimaryContact;
import org.mxguard.policy.PolicyEngine;
import org.mxguard.policy.PolicyQuery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers one request: reports the client to the {@link ContactRecorder}, then answers {@code DUNNO},
 * or, when blocks are enforced, what the policy decides. Whatever goes wrong here the answer is
 * {@code DUNNO}: this service must never be the reason the primary refuses mail.
 */
final class PolicyResponder {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyResponder.class);

    private final PolicyServiceSettings settings;
    private final ContactRecorder recorder;
    private final PolicyEngine policy;
    private final Clock clock;
    final LongAdder requests = new LongAdder();
    final LongAdder contacts = new LongAdder();
    final LongAdder refusals = new LongAdder();

    PolicyResponder(PolicyServiceSettings settings, ContactRecorder recorder, PolicyEngine policy, Clock clock) {
        this.settings = settings;
        this.recorder = recorder;
        this.policy = policy;
        this.clock = clock;
    }

    /** The action for the request that came from {@code peer} (the primary's Postfix). */
    String answer(PolicyRequest request, InetAddress peer) {
        requests.increment();
        if (!PolicyRequest.SMTPD_ACCESS_POLICY.equals(request.request())) {
            LOG.warn("policy_service unknown_request={} from={}: answered DUNNO", quoted(request.request()),
                    peer.getHostAddress());
            return PostfixAction.DUNNO;
        }
        String primary = settings.primary() != null ? settings.primary() : peer.getHostAddress();
        PrimaryContact contact = request.contact(primary, clock.instant());
        if (contact == null) {
            LOG.debug("policy_service no_client_address state={} client_address={}", request.protocolState(),
                    quoted(request.get("client_address")));
        } else {
            try {
                recorder.record(contact);
                contacts.increment();
            } catch (RuntimeException e) {
                LOG.warn("policy_service record_failed client={}: {}", contact.client().getHostAddress(), e.toString());
            }
        }
        if (!settings.enforceBlocks()) {
            return PostfixAction.DUNNO;
        }
        PolicyQuery query = request.query();
        if (query == null) {
            return PostfixAction.DUNNO;
        }
        String action;
        try {
            action = PostfixAction.of(policy.decide(query));
        } catch (RuntimeException e) {
            LOG.warn("policy_service decide_failed client={}: {}", query.clientAddress().getHostAddress(), e.toString());
            return PostfixAction.DUNNO;
        }
        if (!action.equals(PostfixAction.DUNNO)) {
            refusals.increment();
            LOG.info("policy_service action=\"{}\" client={}[{}] state={} sender=<{}> recipient=<{}>", action,
                    query.clientName(), query.clientAddress().getHostAddress(), request.protocolState(),
                    request.get("sender"), request.get("recipient"));
        }
        return action;
    }

    private static String quoted(String value) {
        String shown = value.length() > 80 ? value.substring(0, 80) + "..." : value;
        return "'" + shown.replaceAll("\\p{Cntrl}", "?") + "'";
    }
}
