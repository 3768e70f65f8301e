package org.mxguard.hostclass;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Tells whether a reverse DNS name looks like an end-user (dial-up, DSL, cable, dynamic pool)
 * address rather than a mail server. Shared by the policy's {@code dynamic} condition and the log
 * analyzer, so the two always agree.
 *
 * <p>First version: tokens and the embedded address. Owned by the log analysis work, which tunes it
 * on the corpus hostnames.
 */
public final class DynamicHostClassifier {

    /** Why a name was classified as it was. */
    public record Verdict(boolean dynamic, List<String> reasons) {
    }

    private static final Set<String> TOKENS = Set.of("dialup", "dial", "dialin", "ppp", "pppoe", "dsl", "adsl",
            "xdsl", "vdsl", "dyn", "dynamic", "dynip", "pool", "dhcp", "cable", "modem", "cpe", "client",
            "broadband", "hsd1", "dip", "pptp", "usr", "ip");

    private DynamicHostClassifier() {
    }

    public static Verdict classify(String hostname, InetAddress address) {
        List<String> reasons = new ArrayList<>();
        if (hostname == null || hostname.isEmpty() || hostname.equals("unknown")) {
            return new Verdict(false, List.of());
        }
        String name = hostname.toLowerCase(Locale.ROOT);
        for (String token : name.split("[.\\-_0-9]+")) {
            if (TOKENS.contains(token)) {
                reasons.add("token '" + token + "'");
            }
        }
        if (address != null && address.getAddress().length == 4) {
            byte[] a = address.getAddress();
            int last = a[3] & 0xff;
            int third = a[2] & 0xff;
            String forward = third + "[.-]" + last;
            String backward = last + "[.-]" + third;
            if (name.matches(".*(^|[^0-9])(" + forward + "|" + backward + ")([^0-9]|$).*")) {
                reasons.add("address embedded in name");
            }
        }
        boolean dynamic = !reasons.isEmpty();
        return new Verdict(dynamic, List.copyOf(reasons));
    }
}
