package org.mxguard.policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Translates the access tables a postmaster already has into mxguard rules: sendmail's access
 * database source, Postfix {@code check_*_access} hash tables and Postfix {@code cidr:} tables.
 *
 * <p>Sendmail and Postfix hash tables answer with the most specific key (host before parent
 * domains, longer network before shorter, names before addresses); mxguard takes the first rule
 * that matches. So entries are written most specific first, which gives the same answers. Cidr
 * tables are already first-match and keep their order. Every translated rule is parsed back, so
 * what is written is valid; what cannot be translated is listed with the reason, never dropped.
 */
public final class AccessMapImport {

    /** Which lookup a Postfix hash table serves. */
    public enum Kind {
        CLIENT, SENDER, RECIPIENT
    }

    private static final Pattern NUMERIC = Pattern.compile("([45][0-9][0-9])(?:\\s+([45]\\.[0-9]{1,3}\\.[0-9]{1,3}))?"
            + "(?:\\s+(.*))?");
    private static final Pattern SENDMAIL_ERROR = Pattern.compile("ERROR:(?:\"?)(?:([45]\\.[0-9]{1,3}\\.[0-9]{1,3}):)?"
            + "([45][0-9][0-9])(?:\\s+(.*?))?\"?");

    /** One translated entry, with a sort key for most-specific-first order. */
    private record Entry(int group, int specificity, int order, String rule) {
    }

    private final String name;
    private final List<Entry> entries = new ArrayList<>();
    private final List<String> untranslatable = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    private AccessMapImport(String name) {
        this.name = name;
    }

    /** A sendmail access file (the text {@code makemap} reads): Connect:, From:, To: and untagged keys. */
    public static ConversionResult sendmail(String name, List<String> lines) {
        AccessMapImport im = new AccessMapImport(name);
        im.readTable(lines, true, (key, value, where, line) -> im.sendmailEntry(key, value, where, line));
        return im.result(true);
    }

    /** A Postfix access table for {@code check_client_access} / {@code check_sender_access} / recipient. */
    public static ConversionResult postfixAccess(String name, List<String> lines, Kind kind) {
        AccessMapImport im = new AccessMapImport(name);
        im.readTable(lines, false, (key, value, where, line) -> im.postfixEntry(key, value, kind, where, line));
        return im.result(true);
    }

    /** A Postfix {@code cidr:} table: first match, in file order; {@code !network} negates. */
    public static ConversionResult postfixCidr(String name, List<String> lines) {
        AccessMapImport im = new AccessMapImport(name);
        int[] depth = {0};
        im.readTable(lines, false, (key, value, where, line) -> {
            String k = key.toLowerCase(Locale.ROOT);
            if (k.equals("if") || k.equals("endif") || depth[0] > 0) {
                depth[0] += k.equals("if") ? 1 : k.equals("endif") ? -1 : 0;
                im.untranslatable.add(where + ": " + line + "  (if/endif blocks are not translated)");
                return;
            }
            boolean negated = key.startsWith("!");
            String net = negated ? key.substring(1) : key;
            String condition;
            try {
                condition = (negated ? "not client " : "client ") + Cidr.parse(net);
            } catch (IllegalArgumentException e) {
                im.untranslatable.add(where + ": " + line + "  (" + e.getMessage() + ")");
                return;
            }
            im.add(0, 0, postfixAction(value, where, line, im), condition, where, line);
        });
        return im.result(false);
    }

    @FunctionalInterface
    private interface EntryHandler {
        void handle(String key, String value, String where, String line);
    }

    private void readTable(List<String> lines, boolean sendmail, EntryHandler handler) {
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String where = name + ":" + (i + 1);
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            if (Character.isWhitespace(line.charAt(0))) {
                untranslatable.add(where + ": " + trimmed + "  (continuation lines are not translated)");
                continue;
            }
            String[] kv = trimmed.split("\\s+", 2);
            String value = kv.length < 2 ? "" : kv[1].strip();
            if (value.isEmpty() && !kv[0].equalsIgnoreCase("endif")) {
                untranslatable.add(where + ": " + trimmed + "  (a key without a value)");
                continue;
            }
            handler.handle(kv[0], value, where, trimmed);
        }
    }

    private void sendmailEntry(String key, String value, String where, String line) {
        String action = sendmailAction(value, where, line);
        if (action == null) {
            return;
        }
        int colon = key.indexOf(':');
        String tag = colon > 0 && !key.regionMatches(true, 0, "IPv6:", 0, 5)
                ? key.substring(0, colon).toLowerCase(Locale.ROOT) : "";
        String k = tag.isEmpty() ? key : key.substring(colon + 1);
        switch (tag) {
            case "connect" -> clientKey(k, action, where, line, true);
            case "from" -> addressKey(k, action, "from", where, line);
            case "to" -> addressKey(k, action, "to", where, line);
            case "" -> {
                // Untagged keys (pre-8.9 style) apply to clients and senders alike.
                if (k.contains("@") || k.equals("<>")) {
                    addressKey(k, action, "from", where, line);
                } else if (looksLikeAddress(k)) {
                    clientKey(k, action, where, line, true);
                } else {
                    clientKey(k, action, where, line, true);
                    addressKey(k, action, "from", where, line);
                }
            }
            default -> untranslatable.add(where + ": " + line + "  (" + tag + ": entries are not access rules)");
        }
    }

    private void postfixEntry(String key, String value, Kind kind, String where, String line) {
        String action = postfixAction(value, where, line, this);
        if (action == null) {
            return;
        }
        switch (kind) {
            case CLIENT -> clientKey(key, action, where, line, false);
            case SENDER -> addressKey(key, action, "from", where, line);
            case RECIPIENT -> addressKey(key, action, "to", where, line);
        }
    }

    private static boolean looksLikeAddress(String k) {
        return k.regionMatches(true, 0, "IPv6:", 0, 5) || k.matches("[0-9]{1,3}(\\.[0-9]{1,3}){0,3}");
    }

    private void clientKey(String key, String action, String where, String line, boolean sendmail) {
        String k = key;
        boolean v6 = k.regionMatches(true, 0, "IPv6:", 0, 5);
        if (v6) {
            k = k.substring(5);
        }
        try {
            Cidr net = null;
            if (!v6 && k.matches("[0-9]{1,3}(\\.[0-9]{1,3}){0,3}")) {
                // sendmail and Postfix: "192.0.2" is the network 192.0.2.0/24.
                String[] octets = k.split("\\.");
                StringBuilder full = new StringBuilder(k);
                for (int i = octets.length; i < 4; i++) {
                    full.append(".0");
                }
                net = Cidr.parse(full + "/" + 8 * octets.length);
            } else if ((v6 || k.contains(":")) && k.matches("(?i)[0-9a-f]{1,4}(:[0-9a-f]{1,4}){0,6}")) {
                // sendmail and Postfix: leading IPv6 groups, "2001:db8:1" is the network 2001:db8:1::/48.
                int groups = k.split(":").length;
                net = Cidr.parse(k + (groups < 7 ? "::" : ":0") + "/" + 16 * groups);
            } else if (k.contains(":")) {
                net = Cidr.parse(k);
            }
            if (net != null) {
                add(1, net.length(), action, "client " + net, where, line);
                return;
            }
            NamePattern p = NamePattern.parse(k);
            int labels = p.name().split("\\.").length;
            // Both tables match a domain key against the name and every name below it.
            String names = p.subtree() ? p.toString() : p.name() + ",." + p.name();
            add(0, 2 * labels + (p.subtree() ? 0 : 1), action, "client-name " + names, where, line);
        } catch (IllegalArgumentException e) {
            untranslatable.add(where + ": " + line + "  (" + e.getMessage() + ")");
        }
    }

    private void addressKey(String key, String action, String keyword, String where, String line) {
        try {
            AddressPattern p = AddressPattern.parse(key);
            String value;
            int specificity;
            switch (p.kind()) {
                case NULL_SENDER, MAILBOX -> {
                    value = p.toString();
                    specificity = 1000;
                }
                case LOCAL_PART -> {
                    value = p.toString();
                    specificity = 0;
                }
                case DOMAIN -> {
                    value = p.domain() + ",." + p.domain();
                    specificity = 2 * p.domain().split("\\.").length + 1;
                }
                default -> {
                    value = p.toString();
                    specificity = 2 * p.domain().split("\\.").length;
                }
            }
            add(keyword.equals("from") ? 2 : 3, specificity, action, keyword + " " + value, where, line);
        } catch (IllegalArgumentException e) {
            untranslatable.add(where + ": " + line + "  (" + e.getMessage() + ")");
        }
    }

    private void add(int group, int specificity, String action, String condition, String where, String line) {
        String rule = action.replace("%C", condition);
        try {
            RuleFileReader.parse(where, rule);
        } catch (PolicyParseException e) {
            untranslatable.add(where + ": " + line + "  (" + e.errors().getFirst().message() + ")");
            return;
        }
        entries.add(new Entry(group, specificity, entries.size(), rule + "  # " + where));
    }

    /** A rule text with %C where the condition goes, or null (listed) when the value has no equivalent. */
    private String sendmailAction(String value, String where, String line) {
        String v = value.strip();
        String upper = v.toUpperCase(Locale.ROOT);
        switch (upper) {
            case "OK", "RELAY" -> {
                return "accept %C";
            }
            case "REJECT" -> {
                return "reject %C";
            }
            case "TEMPFAIL" -> {
                return "tempfail %C";
            }
            default -> {
            }
        }
        Matcher m = SENDMAIL_ERROR.matcher(v);
        if (m.matches()) {
            return withReply(m.group(2), m.group(1), m.group(3));
        }
        untranslatable.add(where + ": " + line + "  (no mxguard action for '" + v + "')");
        return null;
    }

    private static String postfixAction(String value, String where, String line, AccessMapImport im) {
        String[] parts = value.strip().split("\\s+", 2);
        String word = parts[0].toUpperCase(Locale.ROOT);
        String text = parts.length > 1 ? parts[1] : null;
        switch (word) {
            case "OK", "PERMIT", "RELAY" -> {
                return "accept %C";
            }
            case "REJECT" -> {
                return text == null ? "reject %C" : withReply("550", null, text);
            }
            case "DEFER" -> {
                return text == null ? "tempfail %C" : withReply("450", null, text);
            }
            case "WARN" -> {
                return "warn %C" + (text == null ? "" : " because " + Rule.quote(text));
            }
            case "DUNNO" -> {
                im.notes.add(where + ": " + line + "  (DUNNO became accept: later mxguard rules are not "
                        + "consulted for it)");
                return "accept %C";
            }
            default -> {
            }
        }
        Matcher m = NUMERIC.matcher(value.strip());
        if (m.matches()) {
            return withReply(m.group(1), m.group(2), m.group(3));
        }
        im.untranslatable.add(where + ": " + line + "  (no mxguard action for '" + parts[0] + "')");
        return null;
    }

    private static String withReply(String code, String dsn, String text) {
        String action = code.startsWith("4") ? "tempfail" : "reject";
        String t = text == null || text.isBlank() ? null : text.strip();
        String status = dsn;
        if (status == null && t != null && t.matches("[45]\\.[0-9]{1,3}\\.[0-9]{1,3}(\\s.*)?")) {
            int sp = t.indexOf(' ');
            status = sp < 0 ? t : t.substring(0, sp);
            t = sp < 0 ? null : t.substring(sp + 1).strip();
        }
        return action + " with " + code + (status == null ? "" : " " + status)
                + (t == null ? "" : " " + Rule.quote(t)) + " %C";
    }

    private ConversionResult result(boolean mostSpecificFirst) {
        List<Entry> sorted = new ArrayList<>(entries);
        if (mostSpecificFirst) {
            sorted.sort(Comparator.comparingInt(Entry::group).thenComparing(Entry::specificity,
                    Comparator.reverseOrder()).thenComparingInt(Entry::order));
        }
        return new ConversionResult(sorted.stream().map(Entry::rule).toList(), untranslatable, notes);
    }
}
