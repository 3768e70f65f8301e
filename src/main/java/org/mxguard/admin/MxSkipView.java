package org.mxguard.admin;

import java.util.List;
import org.mxguard.evidence.MxSkip;
import org.mxguard.evidence.PrimaryHealth;
import org.mxguard.mail.Domain;

/**
 * What the admin surface shows of the MX-skip rule: the rule with its store and block commands,
 * and each protected domain's primary health.
 *
 * @param domains the protected domains whose primary's health is shown (subdomain patterns left out)
 */
public record MxSkipView(MxSkip mxSkip, PrimaryHealth health, List<Domain> domains) {

    public MxSkipView {
        domains = List.copyOf(domains);
    }
}
