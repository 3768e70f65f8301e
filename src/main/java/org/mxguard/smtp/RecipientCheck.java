package org.mxguard.smtp;

import java.util.Optional;
import org.mxguard.mail.MailAddress;
import org.mxguard.mail.Reply;

/**
 * Whether a recipient of a protected domain exists, asked at RCPT after relay control and the
 * policy rules passed it: a backup MX that accepts mail for users the primary does not have must
 * later bounce it to a sender that is usually forged (backscatter).
 *
 * <p>An implementation may take time (it may ask the primary); it must answer within its own
 * deadline, and when it cannot know, accept.
 */
@FunctionalInterface
public interface RecipientCheck {

    /** Every recipient of a protected domain is taken. */
    RecipientCheck ACCEPT_ALL = recipient -> Optional.empty();

    /** Empty to accept; otherwise the reply refusing the recipient (4xx while it cannot be known yet, 5xx for unknown users). */
    Optional<Reply> refusal(MailAddress recipient);
}
