package org.mxguard.evidence;

/**
 * Where the sources of knowledge about the primary (the policy delegation service, the primary's
 * log, the fleet) report the clients they saw. Implementations return at once: a caller is on a
 * primary's SMTP path or reading a log, and never waits on a disk or a network for this.
 */
@FunctionalInterface
public interface ContactRecorder {

    /** Records nothing: for tools that only read. */
    ContactRecorder NONE = contact -> { };

    void record(PrimaryContact contact);
}
