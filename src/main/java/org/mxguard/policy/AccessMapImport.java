package org.mxguard.policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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

    /** sendmail's OK: not an mxguard action, see {@link #okExceptions}. */
    private static final String SENDMAIL_OK = "ok %C";

    /**
     * One translated entry, with a sort key for most-specific-first order.
     *
     * @param group 0 client names, 1 client networks, 2 senders, 3 recipients
     * @param key the entry's key ({@link NamePattern}, {@link Cidr} or {@link AddressPattern}), or null
     */
    private record Entry(int group, int specificity, int order, String action, String condition, Object key,
            String where, String line) {

        String rule(String exceptions) {
            return action.replace("%C", condition + exceptions) + "  # " + where;
        }
    }

    /** A sendmail {@code OK} for a client ({@code Connect:}) or sender ({@code From:}) key. */
    private record Ok(int group, Object key, String where, String line) {
    }

    private final String name;
    private final List<Entry> entries = new ArrayList<>();
    private final List<String> untranslatable = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final List<Ok> oks = new ArrayList<>();

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
            im.add(0, 0, postfixAction(value, where, line, im), condition, null, where, line);
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
                if (action.equals(SENDMAIL_OK)) {
                    oks.add(new Ok(1, net, where, line));
                    return;
                }
                add(1, net.length(), action, "client " + net, net, where, line);
                return;
            }
            NamePattern p = NamePattern.parse(k);
            if (action.equals(SENDMAIL_OK)) {
                oks.add(new Ok(0, p, where, line));
                return;
            }
            int labels = p.name().split("\\.").length;
            add(0, 2 * labels + (p.subtree() ? 0 : 1), action, "client-name " + names(p), p, where, line);
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
            if (action.equals(SENDMAIL_OK)) {
                if (keyword.equals("from")) {
                    oks.add(new Ok(2, p, where, line));
                    return;
                }
                // To: is the last check, so accepting there skips nothing sendmail would still run.
                add(3, specificity, "accept %C", keyword + " " + value, p, where, line);
                return;
            }
            add(keyword.equals("from") ? 2 : 3, specificity, action, keyword + " " + value, p, where, line);
        } catch (IllegalArgumentException e) {
            untranslatable.add(where + ": " + line + "  (" + e.getMessage() + ")");
        }
    }

    private void add(int group, int specificity, String action, String condition, Object key, String where,
            String line) {
        try {
            RuleFileReader.parse(where, action.replace("%C", condition));
        } catch (PolicyParseException e) {
            untranslatable.add(where + ": " + line + "  (" + e.errors().getFirst().message() + ")");
            return;
        }
        entries.add(new Entry(group, specificity, entries.size(), action, condition, key, where, line));
    }

    /** A name key matches the name and every name below it, in both sendmail and Postfix. */
    private static String names(NamePattern p) {
        return p.subtree() ? p.toString() : p.name() + ",." + p.name();
    }

    /** A rule text with %C where the condition goes, or null (listed) when the value has no equivalent. */
    private String sendmailAction(String value, String where, String line) {
        String v = value.strip();
        String upper = v.toUpperCase(Locale.ROOT);
        switch (upper) {
            case "OK" -> {
                return SENDMAIL_OK;
            }
            case "RELAY" -> {
                // cf/README: RELAY "also serves as an implicit OK for the other checks".
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
        Map<Ok, List<String>> usedBy = new LinkedHashMap<>();
        oks.forEach(ok -> usedBy.put(ok, new ArrayList<>()));
        List<String> lines = new ArrayList<>();
        for (Entry e : sorted) {
            for (String exceptions : okExceptions(e, usedBy)) {
                String rule = e.rule(exceptions);
                if (!exceptions.isEmpty()) {
                    try {
                        RuleFileReader.parse(e.where(), rule);
                    } catch (PolicyParseException x) {
                        untranslatable.add(e.where() + ": " + e.line() + "  (" + x.errors().getFirst().message()
                                + ")");
                        break;
                    }
                }
                lines.add(rule);
            }
        }
        usedBy.forEach((ok, by) -> notes.add(ok.where() + ": " + ok.line() + "  (OK ends only sendmail's "
                + (ok.group() == 2 ? "sender (From:)" : "connect") + " check, so no rule accepts it: "
                + (by.isEmpty() ? "no broader entry of that check applies to it"
                        : "written as an exception to " + String.join(", ", by))
                + "; later checks still apply)"));
        return new ConversionResult(lines, untranslatable, notes);
    }

    /**
     * sendmail's {@code OK} "accepts mail even if other rules in the running ruleset would reject
     * it" (cf/README): a {@code Connect:} OK ends check_relay, a {@code From:} OK ends check_mail, and
     * the later checks (From:, To:) still run. An mxguard accept would end them all, so an OK becomes
     * {@code not ...} on the broader entries of the same check that sendmail would look up after it:
     * for a network, the longer networks inside it and every client name (names are looked up
     * first); for a name, the names below it; for a sender domain, the mailboxes and domains below
     * it; for {@code user@}, that user's mailboxes and every domain.
     *
     * <p>{@code not client-name} is false for a client without a confirmed name (docs/policy.md), so
     * a network entry with name exceptions becomes two rules: one for clients without a confirmed
     * name, one for those whose name is not an OK one.
     *
     * @return the condition suffixes to write the entry with, one rule each
     */
    private static List<String> okExceptions(Entry e, Map<Ok, List<String>> usedBy) {
        List<String> nets = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<String> senders = new ArrayList<>();
        for (Ok ok : usedBy.keySet()) {
            String exception = exception(e, ok.key());
            if (exception == null) {
                continue;
            }
            usedBy.get(ok).add(e.where());
            switch (ok.key()) {
                case Cidr net -> nets.add(exception);
                case NamePattern name -> names.add(exception);
                default -> senders.add(exception);
            }
        }
        StringBuilder out = new StringBuilder();
        if (!nets.isEmpty()) {
            out.append(" not client ").append(String.join(",", nets));
        }
        if (!senders.isEmpty()) {
            out.append(" not from ").append(String.join(",", senders));
        }
        if (names.isEmpty()) {
            return List.of(out.toString());
        }
        if (e.group() == 0) {
            return List.of(out + " not client-name " + String.join(",", names));
        }
        return List.of(out + " client-name unknown", out + " not client-name " + String.join(",", names));
    }

    /** The values an OK key takes out of an entry, or null when sendmail would not look it up first. */
    private static String exception(Entry e, Object ok) {
        return switch (e.key()) {
            case Cidr outer when e.group() == 1 -> switch (ok) {
                case Cidr inner -> outer.contains(inner) && inner.length() > outer.length() ? inner.toString() : null;
                case NamePattern name -> names(name);
                default -> null;
            };
            case NamePattern outer when e.group() == 0 -> ok instanceof NamePattern inner
                    && within(inner.name(), outer.name()) && !inner.name().equals(outer.name()) ? names(inner) : null;
            case AddressPattern outer when e.group() == 2 -> ok instanceof AddressPattern inner
                    ? senderException(outer, inner) : null;
            case null, default -> null;
        };
    }

    private static String senderException(AddressPattern outer, AddressPattern inner) {
        return switch (outer.kind()) {
            case DOMAIN -> switch (inner.kind()) {
                case MAILBOX -> within(inner.domain(), outer.domain()) ? inner.toString() : null;
                case DOMAIN -> !inner.domain().equals(outer.domain()) && within(inner.domain(), outer.domain())
                        ? inner.domain() + ",." + inner.domain() : null;
                default -> null;
            };
            case LOCAL_PART -> switch (inner.kind()) {
                case MAILBOX -> inner.localPart().equals(outer.localPart()) ? inner.toString() : null;
                case DOMAIN -> inner.domain() + ",." + inner.domain();
                default -> null;
            };
            default -> null;
        };
    }

    private static boolean within(String domain, String parent) {
        return domain.equals(parent) || domain.endsWith("." + parent);
    }
}
