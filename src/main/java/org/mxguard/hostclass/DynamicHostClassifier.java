package org.mxguard.hostclass;

import com.google.common.net.InternetDomainName;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Tells whether a reverse DNS name looks like an end-user (dial-up, DSL, cable, dynamic pool)
 * address rather than a mail server. Shared by the policy's {@code dynamic} condition and the log
 * analyzer, so the two always agree.
 *
 * <p>It adds up signals found in the host part of the name (the labels left of the registered
 * domain, so {@code mail.dsl-company.example} is not a DSL line because of its owner's name):
 * end-user words ({@code dialup}, {@code ppp}, {@code dsl}, {@code pool}...), the client's own
 * address written into the name (either octet order, dashes or dots, zero-padded or hex), and
 * against them static markers ({@code static}, {@code biz}, {@code leased}) and a server word at
 * the left ({@code mx}, {@code mail}, {@code smtp}), the false positives rspamd users reported.
 * A name is dynamic at {@value #THRESHOLD} points or more; every signal is a reason.
 */
public final class DynamicHostClassifier {

    /** Why a name was classified as it was. */
    public record Verdict(boolean dynamic, List<String> reasons) {
    }

    static final int THRESHOLD = 2;

    // Compiled once: String.split and replaceAll with a regular expression compile it at each call.
    private static final Pattern TOKEN_SEPARATORS = Pattern.compile("[-_0-9]+");
    private static final Pattern TRAILING_DIGITS = Pattern.compile("[0-9]+$");

    private static final Set<String> STRONG = Set.of("dialup", "dial", "dialin", "ppp", "pppoe", "dsl", "adsl",
            "xdsl", "vdsl", "sdsl", "dyn", "dynamic", "dynip", "pool", "dhcp", "cable", "modem", "cpe", "broadband",
            "hsd", "dip", "pptp", "ftth", "hfc", "catv", "wifi", "gprs", "mobile", "nat", "cust", "customer",
            "subscriber", "resnet", "dialpool");
    private static final Set<String> WEAK = Set.of("ip", "client", "clients", "usr", "user", "users", "host",
            "res", "home", "access", "node", "wireless", "lte", "bb");
    private static final Set<String> STATIC = Set.of("static", "sta", "stat", "fixed", "biz", "business",
            "leased", "dedicated", "colo", "server", "servers");
    private static final Set<String> SERVER = Set.of("mx", "mail", "smtp", "relay", "mta", "out", "outbound",
            "mailout", "smtpout", "mailhost", "mx-out", "postfix", "exchange", "gateway", "gw", "mailgw", "ns");

    private DynamicHostClassifier() {
    }

    public static Verdict classify(String hostname, InetAddress address) {
        if (hostname == null || hostname.isEmpty() || hostname.equals("unknown")) {
            return new Verdict(false, List.of());
        }
        String name = hostname.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        String hostPart = hostPart(name);
        List<String> reasons = new ArrayList<>();
        int score = 0;
        String[] labels = hostPart.split("\\.");
        for (String label : labels) {
            for (String token : TOKEN_SEPARATORS.split(label)) {
                if (STRONG.contains(token)) {
                    score += 2;
                    reasons.add("end-user word '" + token + "' (+2)");
                } else if (WEAK.contains(token)) {
                    score += 1;
                    reasons.add("end-user hint '" + token + "' (+1)");
                } else if (STATIC.contains(token)) {
                    score -= 3;
                    reasons.add("static marker '" + token + "' (-3)");
                }
            }
        }
        String left = TRAILING_DIGITS.matcher(labels[0]).replaceAll("");
        if (labels.length > 0 && SERVER.contains(left)) {
            score -= 3;
            reasons.add("server name '" + labels[0] + "' at the left (-3)");
        }
        if (address != null) {
            int embedded = EmbeddedAddress.points(hostPart, address.getAddress());
            if (embedded > 0) {
                score += embedded;
                reasons.add((embedded >= 2 ? "address" : "part of the address") + " written in the name (+"
                        + embedded + ")");
            }
        }
        boolean dynamic = score >= THRESHOLD;
        return new Verdict(dynamic, List.copyOf(reasons));
    }

    /**
     * The labels left of the registered domain, by the Public Suffix List; for names under no
     * public suffix (the {@code .example} and {@code .test} documentation names) the last two
     * labels count as the registered domain.
     */
    static String hostPart(String name) {
        String registered = registeredDomain(name);
        if (registered == null || registered.length() >= name.length()) {
            return name.indexOf('.') > 0 ? name.substring(0, name.indexOf('.')) : name;
        }
        return name.substring(0, name.length() - registered.length() - 1);
    }

    /** The registered ("top private") domain of a name, or null when it has none. */
    public static String registeredDomain(String name) {
        try {
            InternetDomainName d = InternetDomainName.from(name);
            if (d.isUnderPublicSuffix()) {
                return d.topPrivateDomain().toString();
            }
        } catch (IllegalArgumentException | IllegalStateException ignored) {
            // not a valid domain name, or no public suffix: fall back below
        }
        int last = name.lastIndexOf('.');
        if (last <= 0) {
            return null;
        }
        int before = name.lastIndexOf('.', last - 1);
        return name.substring(before + 1);
    }
}
