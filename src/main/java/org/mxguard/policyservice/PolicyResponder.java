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
 * Answers one request: {@code DUNNO}, or, when blocks are enforced, what the policy decides; and
 * reports the client to the {@link ContactRecorder} unless that answer refuses it. Whatever goes
 * wrong here the answer is {@code DUNNO}: this service must never be the reason the primary
 * refuses mail.
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

    /**
     * The action for the request that came from {@code peer} (the primary's Postfix). With blocks
     * enforced, the policy is asked first: a client the primary refuses on mxguard's word is not
     * recorded as a contact, for a contact lifts the automatic blocks that cover it, the one that
     * refused it included. (A real MTA in a blocked network still earns retry credit at the backup.)
     */
    String answer(PolicyRequest request, InetAddress peer) {
        requests.increment();
        if (!PolicyRequest.SMTPD_ACCESS_POLICY.equals(request.request())) {
            LOG.warn("policy_service unknown_request={} from={}: answered DUNNO", quoted(request.request()),
                    peer.getHostAddress());
            return PostfixAction.DUNNO.text();
        }
        PostfixAction action = settings.enforceBlocks() ? decide(request) : PostfixAction.DUNNO;
        if (action.refuses()) {
            refusals.increment();
            LOG.info("policy_service action=\"{}\" client={}[{}] state={} sender=<{}> recipient=<{}>", action.text(),
                    request.get("client_name"), request.get("client_address"), request.protocolState(),
                    request.get("sender"), request.get("recipient"));
        } else {
            record(request, peer);
        }
        return action.text();
    }

    private PostfixAction decide(PolicyRequest request) {
        PolicyQuery query = request.query();
        if (query == null) {
            return PostfixAction.DUNNO;
        }
        try {
            return PostfixAction.of(policy.decide(query));
        } catch (RuntimeException e) {
            LOG.warn("policy_service decide_failed client={}: {}", query.clientAddress().getHostAddress(), e.toString());
            return PostfixAction.DUNNO;
        }
    }

    private void record(PolicyRequest request, InetAddress peer) {
        String primary = settings.primary() != null ? settings.primary() : peer.getHostAddress();
        PrimaryContact contact = request.contact(primary, clock.instant());
        if (contact == null) {
            LOG.debug("policy_service no_client_address state={} client_address={}", request.protocolState(),
                    quoted(request.get("client_address")));
            return;
        }
        try {
            recorder.record(contact);
            contacts.increment();
        } catch (RuntimeException e) {
            LOG.warn("policy_service record_failed client={}: {}", contact.client().getHostAddress(), e.toString());
        }
    }

    private static String quoted(String value) {
        String shown = value.length() > 80 ? value.substring(0, 80) + "..." : value;
        return "'" + shown.replaceAll("\\p{Cntrl}", "?") + "'";
    }
}
