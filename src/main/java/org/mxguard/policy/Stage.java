package org.mxguard.policy;

/** The SMTP stage at which the session asks the policy. */
public enum Stage {
    CONNECT, HELO, MAIL, RCPT
}
