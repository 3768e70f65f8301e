package org.mxguard.smtp;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.mxguard.mail.Domain;
import org.mxguard.mail.PathParser;

/**
 * The domains this backup MX accepts mail for. An entry "example.org" protects exactly that name;
 * ".example.org" protects every name below it (but not example.org itself, as in Postfix's
 * {@code parent_domain_matches_subdomains} off); "[192.0.2.1]" protects that address literal.
 * Names are compared in canonical form (A-labels, lower case, no trailing dot).
 */
public final class ProtectedDomains {

    private final Set<Domain> exact = new HashSet<>();
    private final Set<Domain> subtrees = new HashSet<>();

    private ProtectedDomains() {
    }

    /**
     * Parses the configured entries.
     *
     * @throws IllegalArgumentException naming the entry that is not a domain
     */
    public static ProtectedDomains of(List<String> entries) {
        ProtectedDomains domains = new ProtectedDomains();
        for (String entry : entries) {
            String text = entry.strip();
            try {
                if (text.startsWith("[")) {
                    domains.exact.add(literal(text));
                } else if (text.startsWith(".")) {
                    domains.subtrees.add(Domain.parse(text.substring(1)));
                } else {
                    domains.exact.add(Domain.parse(text));
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("protected domain entry is not a domain: \"" + entry + "\"", e);
            }
        }
        return domains;
    }

    private static Domain literal(String text) {
        if (PathParser.parse("<x@" + text + ">", false) instanceof PathParser.Result.Mailbox box
                && box.addressLiteral()) {
            return box.domain();
        }
        throw new IllegalArgumentException("not an address literal: " + text.toLowerCase(Locale.ROOT));
    }

    public boolean contains(Domain domain) {
        if (exact.contains(domain)) {
            return true;
        }
        for (Domain parent = domain.parent(); parent != null; parent = parent.parent()) {
            if (subtrees.contains(parent)) {
                return true;
            }
        }
        return false;
    }

    /** True if ".domain" is an entry: every name below the domain is protected. */
    public boolean hasSubtree(Domain domain) {
        return subtrees.contains(domain);
    }
}
