package org.mxguard.primary;

import org.mxguard.evidence.ContactRecorder;
import org.mxguard.evidence.PrimaryContact;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ContactRecorder} that only logs each contact (at debug level): for a server run
 * without an evidence store, so that the primary's log can be checked to be read.
 */
public final class LoggedContacts implements ContactRecorder {

    private static final Logger LOG = LoggerFactory.getLogger(LoggedContacts.class);

    @Override
    public void record(PrimaryContact c) {
        LOG.debug("primary_contact client={} name={} helo={} null_sender={} primary={} at={} source={}",
                c.client().getHostAddress(), c.clientName(), c.helo(), c.nullSender(), c.primary(), c.at(),
                c.source());
    }
}
