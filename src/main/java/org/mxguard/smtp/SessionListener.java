package org.mxguard.smtp;

/**
 * Receives every {@link SessionEvent} of every SMTP session: the mail log, metrics, the dashboard
 * and MX-skip detection subscribe here. Called on the session's thread, so it must be quick and
 * thread-safe; an exception it throws is ignored and never harms the session.
 */
@FunctionalInterface
public interface SessionListener {

    void onEvent(SessionEvent event);
}
