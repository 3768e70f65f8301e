package org.mxguard.smtp;

import org.mxguard.mail.MailAddress;
import org.mxguard.mail.PathParser;
import org.mxguard.mail.Reply;

/**
 * The structural relay check, made for every recipient before any policy rule, so no rule can
 * ever open a relay: a recipient is accepted only if its final domain is protected.
 *
 * <ul>
 *   <li>A source route ({@code <@a,@b:user@d>}) is ignored: the final domain decides (RFC 5321
 *       §4.1.1.3 and appendix C).</li>
 *   <li>A local part with {@code %}, {@code !} or a quoted {@code @} is refused unless the
 *       postmaster allows it, because a mailer downstream might route on it.</li>
 *   <li>{@code <postmaster>} without a domain (RFC 5321 §4.5.1) goes to postmaster@postmasterDomain
 *       when that is configured, and is refused otherwise: a backup MX has no local mailbox.</li>
 * </ul>
 */
final class RelayControl {

    /** The verdict on one forward-path. */
    sealed interface Verdict {

        /** Accepted: the address to queue for. */
        record Protected(MailAddress address) implements Verdict {
        }

        /** Refused as a relay attempt. */
        record Denied(Reply reply) implements Verdict {
        }
    }

    private final ProtectedDomains domains;
    private final int deniedCode;
    private final MailAddress postmaster;
    private final boolean allowRoutingCharacters;

    RelayControl(SmtpSettings settings) {
        this.domains = ProtectedDomains.of(settings.protectedDomains());
        this.deniedCode = settings.relayDeniedCode();
        this.allowRoutingCharacters = settings.allowRoutingCharacters();
        if (settings.postmasterDomain() == null) {
            this.postmaster = null;
        } else {
            this.postmaster = MailAddress.of("postmaster", settings.postmasterDomain());
            if (!domains.contains(postmaster.domain())) {
                throw new IllegalArgumentException("postmasterDomain is not a protected domain: "
                        + settings.postmasterDomain());
            }
        }
    }

    Verdict check(PathParser.Result path) {
        return switch (path) {
            case PathParser.Result.Mailbox box -> {
                if (!domains.contains(box.domain())) {
                    yield denied(box.text());
                }
                if (box.hasRoutingCharacters() && !allowRoutingCharacters) {
                    yield denied(box.text());
                }
                yield new Verdict.Protected(box.address());
            }
            case PathParser.Result.LocalOnly local when local.isPostmaster() && postmaster != null ->
                    new Verdict.Protected(postmaster);
            case PathParser.Result.LocalOnly local -> denied(local.localPart());
            case PathParser.Result.NullPath ignored -> throw new IllegalArgumentException("<> is no forward-path");
            case PathParser.Result.Invalid ignored -> throw new IllegalArgumentException("invalid path");
        };
    }

    private Verdict denied(String recipient) {
        return new Verdict.Denied(Replies.relayDenied(deniedCode, recipient));
    }
}
