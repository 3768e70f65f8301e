package org.mxguard.admin;

import java.net.Inet4Address;
import java.util.List;
import org.mxguard.mail.ClientInfo;
import org.mxguard.policy.Cidr;
import org.mxguard.smtp.SessionEvent;
import org.mxguard.smtp.SessionListener;

/**
 * Where the mail the rules refused comes from: the client networks (IPv4 /24, IPv6 /64, the
 * sizes greylisting and the automatic blocks group clients by) and the subdomains of the clients'
 * confirmed names ({@code dsl-7.pool.isp.example} counts for {@code .pool.isp.example}), each in a
 * bounded {@link TopSources}. Written as block targets, so a source can be blocked as shown.
 *
 * <p>Counted: refusals decided by a rule (the rule file, the MX-skip rule, a block), not by relay
 * control or a limit; a warning (dry run, observe mode) is not a refusal.
 */
final class CaughtSources implements SessionListener {

    /** Sources remembered per table; the dashboard shows the first few. */
    static final int CAPACITY = 256;

    private final TopSources networks = new TopSources(CAPACITY);
    private final TopSources subdomains = new TopSources(CAPACITY);

    @Override
    public void onEvent(SessionEvent event) {
        if (!(event instanceof SessionEvent.Rejected r) || r.warnOnly() || r.rule() == null) {
            return;
        }
        boolean temporary = r.reply().code() / 100 == 4;
        networks.add(network(r.client()), temporary, r.time());
        String subdomain = subdomain(r.client());
        if (subdomain != null) {
            subdomains.add(subdomain, temporary, r.time());
        }
    }

    static String network(ClientInfo client) {
        return Cidr.of(client.address()).truncate(client.address() instanceof Inet4Address ? 24 : 64).toString();
    }

    /**
     * The confirmed name without its first label, with a leading dot; null for an unconfirmed name
     * or one whose parent would be a bare registered domain's top level ({@code mail.example}).
     */
    static String subdomain(ClientInfo client) {
        if (!client.nameVerified()) {
            return null;
        }
        String name = client.name().toLowerCase(java.util.Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        int dot = name.indexOf('.');
        if (dot < 0 || name.indexOf('.', dot + 1) < 0) {
            return null;
        }
        return name.substring(dot);
    }

    List<TopSources.Entry> networks(int n) {
        return networks.top(n);
    }

    List<TopSources.Entry> subdomains(int n) {
        return subdomains.top(n);
    }
}
