package org.mxguard.policyservice;

import java.util.concurrent.atomic.LongAdder;
import org.mxguard.evidence.ContactRecorder;
import org.mxguard.evidence.PrimaryContact;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ContactRecorder} that keeps nothing: it logs each contact at debug level and counts
 * them. What the server uses while no evidence store is configured.
 */
public final class ContactCounter implements ContactRecorder {

    private static final Logger LOG = LoggerFactory.getLogger(ContactCounter.class);

    private final LongAdder count = new LongAdder();

    @Override
    public void record(PrimaryContact contact) {
        count.increment();
        if (LOG.isDebugEnabled()) {
            LOG.debug("primary_contact client={}[{}] helo={} null_sender={} primary={} source={}", contact.clientName(),
                    contact.client().getHostAddress(), contact.helo(), contact.nullSender(), contact.primary(),
                    contact.source());
        }
    }

    public long count() {
        return count.sum();
    }
}
