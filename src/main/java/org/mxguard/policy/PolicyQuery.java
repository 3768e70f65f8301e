package org.mxguard.policy;

import java.net.InetAddress;
import org.mxguard.mail.MailAddress;

/**
 * What the session knows when it asks the policy. Later fields are null at earlier stages.
 *
 * @param stage where the session is
 * @param clientAddress the client's IP address
 * @param clientName the forward-confirmed reverse name, or "unknown"
 * @param helo the HELO/EHLO argument, or null
 * @param sender the reverse-path (may be the null sender), or null before MAIL
 * @param recipient the forward-path being checked, or null before RCPT
 */
public record PolicyQuery(Stage stage, InetAddress clientAddress, String clientName, String helo,
        MailAddress sender, MailAddress recipient) {
}
