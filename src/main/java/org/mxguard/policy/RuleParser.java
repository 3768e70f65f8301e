package org.mxguard.policy;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.mxguard.mail.EnhancedStatus;
import org.mxguard.mail.Reply;
import org.mxguard.policy.RuleTokenizer.Token;

/**
 * Parses the words of one rule line into a {@link Rule}, and checks it (reply codes, stage, the
 * null-sender safety rule). Grammar (words after the action in any order):
 *
 * <pre>
 * rule      = action { ["not"] condition | "everything" | option }
 * action    = "accept" | "tempfail" | "reject" | "disconnect" | "warn"
 * condition = "client" nets | "client-name" names | "helo" names | "from" addrs | "to" addrs
 *           | "listed-in" zone ["=" answer {"," answer}] | "dynamic"
 * option    = "at" ("connect" | "helo" | "mail" | "rcpt") | "with" code [dsn] ["text"]
 *           | "until" (yyyy-mm-dd | instant) | "because" "text"
 * values    = value {"," value} | "@" listfile
 * </pre>
 */
final class RuleParser {

    /** Reads the values of a {@code @listfile}; reports its own errors and returns what it could read. */
    interface ListReader {
        List<ListValue> read(String name, String file, int line, int column);
    }

    /** One value from a list file, with its place for error messages. */
    record ListValue(String text, String file, int line, int column) {
    }

    private static final Pattern CODE = Pattern.compile("[245][0-9][0-9]");
    private static final Pattern DSN = Pattern.compile("[245]\\.[0-9]{1,3}\\.[0-9]{1,3}");

    private final String file;
    private final int lineNo;
    private final List<Token> tokens;
    private final ListReader lists;
    private final List<ParseError> errors;
    private int pos;

    private RuleParser(String file, int lineNo, List<Token> tokens, ListReader lists, List<ParseError> errors) {
        this.file = file;
        this.lineNo = lineNo;
        this.tokens = tokens;
        this.lists = lists;
        this.errors = errors;
    }

    /** Parses a tokenized rule; returns null (with errors added) when the line is wrong. */
    static Rule parse(String file, int lineNo, List<Token> tokens, ListReader lists, List<ParseError> errors) {
        int before = errors.size();
        Rule rule = new RuleParser(file, lineNo, tokens, lists, errors).rule();
        return errors.size() == before ? rule : null;
    }

    private void error(int column, String message) {
        errors.add(new ParseError(file, lineNo, column, message));
    }

    private Token next() {
        return pos < tokens.size() ? tokens.get(pos++) : null;
    }

    private Token peek() {
        return pos < tokens.size() ? tokens.get(pos) : null;
    }

    private int endColumn() {
        if (tokens.isEmpty()) {
            return 1;
        }
        Token last = tokens.getLast();
        return last.column() + last.text().length() + (last.quoted() ? 2 : 0);
    }

    private Rule rule() {
        Token first = next();
        Action action = action(first);
        if (action == null) {
            return null;
        }
        List<Condition> conditions = new ArrayList<>();
        Reply reply = null;
        Token withToken = null;
        Stage actAt = null;
        Token atToken = null;
        Instant expires = null;
        String reason = null;
        Token everything = null;
        Token t;
        while ((t = next()) != null) {
            String word = t.quoted() ? "\"" + t.text() + "\"" : t.text().toLowerCase(Locale.ROOT);
            switch (word) {
                case "not" -> {
                    Token c = next();
                    if (c == null || c.quoted()) {
                        error(c == null ? endColumn() : c.column(), "'not' must be followed by a condition");
                        return null;
                    }
                    Condition cond = condition(c, true);
                    if (cond == null) {
                        return null;
                    }
                    conditions.add(cond);
                }
                case "everything" -> everything = t;
                case "at" -> {
                    if (atToken != null) {
                        error(t.column(), "'at' given twice");
                    }
                    atToken = t;
                    actAt = stage(next());
                    if (actAt == null) {
                        return null;
                    }
                }
                case "with" -> {
                    if (withToken != null) {
                        error(t.column(), "'with' given twice");
                    }
                    withToken = t;
                    reply = reply(action, t);
                    if (reply == null) {
                        return null;
                    }
                }
                case "until" -> {
                    if (expires != null) {
                        error(t.column(), "'until' given twice");
                    }
                    expires = until(next(), t);
                    if (expires == null) {
                        return null;
                    }
                }
                case "because" -> {
                    Token text = next();
                    if (text == null || !text.quoted()) {
                        error(text == null ? endColumn() : text.column(),
                                "'because' takes a quoted reason: because \"seen in EMS spam\"");
                        return null;
                    }
                    if (reason != null) {
                        error(t.column(), "'because' given twice");
                    }
                    reason = text.text();
                }
                default -> {
                    Condition cond = condition(t, false);
                    if (cond == null) {
                        return null;
                    }
                    conditions.add(cond);
                }
            }
        }
        if (everything != null && !conditions.isEmpty()) {
            error(everything.column(), "'everything' cannot be combined with conditions");
            return null;
        }
        if (everything == null && conditions.isEmpty()) {
            error(endColumn(), "a rule needs at least one condition, or 'everything' to match all mail");
            return null;
        }
        Rule rule = new Rule(new RuleRef(file, lineNo), action, reply,
                actAt == null ? Stage.RCPT : actAt, conditions, expires, reason);
        check(rule, atToken, withToken);
        return rule;
    }

    private Action action(Token t) {
        if (t != null && !t.quoted()) {
            for (Action a : Action.values()) {
                if (a.keyword().equals(t.text().toLowerCase(Locale.ROOT))) {
                    return a;
                }
            }
        }
        error(t == null ? 1 : t.column(), "expected an action (accept, tempfail, reject, disconnect, warn) or "
                + "'include FILE', found " + describe(t));
        return null;
    }

    private static String describe(Token t) {
        return t == null ? "end of line" : t.quoted() ? "quoted text" : "'" + t.text() + "'";
    }

    private Condition condition(Token t, boolean negated) {
        String word = t.quoted() ? "" : t.text().toLowerCase(Locale.ROOT);
        return switch (word) {
            case "client" -> {
                List<Cidr> v = values(t, Cidr::parse);
                yield v == null ? null : new Condition.Client(negated, v);
            }
            case "client-name" -> {
                List<NamePattern> v = values(t, NamePattern::parse);
                yield v == null ? null : new Condition.ClientName(negated, v);
            }
            case "helo" -> {
                List<NamePattern> v = values(t, NamePattern::parse);
                yield v == null ? null : new Condition.Helo(negated, v);
            }
            case "from" -> {
                List<AddressPattern> v = values(t, AddressPattern::parse);
                yield v == null ? null : new Condition.Sender(negated, v);
            }
            case "to" -> {
                List<AddressPattern> v = values(t, to -> {
                    AddressPattern p = AddressPattern.parse(to);
                    if (p.kind() == AddressPattern.Kind.NULL_SENDER) {
                        throw new IllegalArgumentException("<> is a sender, never a recipient");
                    }
                    return p;
                });
                yield v == null ? null : new Condition.Recipient(negated, v);
            }
            case "listed-in" -> dnsbl(t, negated);
            case "dynamic" -> new Condition.Dynamic(negated);
            default -> {
                error(t.column(), "expected a condition (client, client-name, helo, from, to, listed-in, dynamic) "
                        + "or an option (at, with, until, because), found " + describe(t));
                yield null;
            }
        };
    }

    private <T> List<T> values(Token keyword, Function<String, T> parse) {
        Token v = next();
        if (v == null || v.quoted()) {
            error(v == null ? endColumn() : v.column(), "'" + keyword.text() + "' needs a value");
            return null;
        }
        List<T> out = new ArrayList<>();
        int before = errors.size();
        if (v.text().startsWith("@")) {
            for (ListValue lv : lists.read(v.text().substring(1), file, lineNo, v.column())) {
                try {
                    out.add(parse.apply(lv.text()));
                } catch (IllegalArgumentException e) {
                    // a list file may be any file: its text is not repeated (it could be /etc/shadow)
                    errors.add(new ParseError(lv.file(), lv.line(), lv.column(),
                            String.valueOf(e.getMessage()).replace(lv.text(), "(the value on that line)")));
                }
            }
            if (out.isEmpty() && errors.size() == before) {
                error(v.column(), "list file " + v.text().substring(1) + " has no values");
            }
        } else {
            String text = v.text();
            int start = 0;
            while (start <= text.length()) {
                int comma = text.indexOf(',', start);
                int end = comma < 0 ? text.length() : comma;
                String item = text.substring(start, end);
                if (item.isEmpty()) {
                    error(v.column() + start, "empty value in list (values are separated by ',' without spaces)");
                } else {
                    try {
                        out.add(parse.apply(item));
                    } catch (IllegalArgumentException e) {
                        error(v.column() + start, e.getMessage());
                    }
                }
                start = end + 1;
            }
        }
        return errors.size() == before ? out : null;
    }

    private Condition dnsbl(Token keyword, boolean negated) {
        Token v = next();
        if (v == null || v.quoted()) {
            error(v == null ? endColumn() : v.column(), "'listed-in' needs a DNSBL zone, e.g. zen.spamhaus.org");
            return null;
        }
        String text = v.text();
        int eq = text.indexOf('=');
        String zoneText = eq < 0 ? text : text.substring(0, eq);
        String zone;
        try {
            zone = NamePattern.canonical(zoneText, zoneText);
        } catch (IllegalArgumentException e) {
            error(v.column(), e.getMessage());
            return null;
        }
        List<Cidr> answers = new ArrayList<>();
        if (eq >= 0) {
            int start = eq + 1;
            while (start <= text.length()) {
                int comma = text.indexOf(',', start);
                int end = comma < 0 ? text.length() : comma;
                try {
                    Cidr a = Cidr.parse(text.substring(start, end));
                    // RFC 5782 §2.1: answers are A records in 127.0.0.0/8.
                    if (!a.v4() || (a.lo() >>> 24) != 127 || a.length() < 8) {
                        throw new IllegalArgumentException("DNSBL answers lie in 127.0.0.0/8 (RFC 5782): "
                                + text.substring(start, end));
                    }
                    answers.add(a);
                } catch (IllegalArgumentException e) {
                    error(v.column() + start, e.getMessage());
                    return null;
                }
                start = end + 1;
            }
        }
        return new Condition.Dnsbl(negated, zone, answers);
    }

    private Stage stage(Token t) {
        if (t != null && !t.quoted()) {
            for (Stage s : Stage.values()) {
                if (s.name().equalsIgnoreCase(t.text())) {
                    return s;
                }
            }
        }
        error(t == null ? endColumn() : t.column(), "'at' takes a stage: connect, helo, mail or rcpt; found "
                + describe(t));
        return null;
    }

    private Reply reply(Action action, Token with) {
        if (action == Action.ACCEPT) {
            error(with.column(), "'accept' sends no reply of its own; 'with' is for refusing actions");
            return null;
        }
        Token code = next();
        if (code == null || code.quoted() || !CODE.matcher(code.text()).matches()) {
            error(code == null ? endColumn() : code.column(), "'with' takes a reply code such as 451, found "
                    + describe(code));
            return null;
        }
        int c = Integer.parseInt(code.text());
        EnhancedStatus status = null;
        Token t = peek();
        if (t != null && !t.quoted() && DSN.matcher(t.text()).matches()) {
            next();
            status = EnhancedStatus.parse(t.text());
            if (status.klass() != c / 100) {
                error(t.column(), "enhanced status " + status + " does not agree with reply code " + c
                        + " (RFC 3463: the classes must match)");
                return null;
            }
        }
        if (status == null) {
            status = new EnhancedStatus(c / 100, 7, c == 421 ? 0 : 1);
        }
        String text;
        t = peek();
        if (t != null && t.quoted()) {
            next();
            text = t.text();
            if (text.isBlank()) {
                error(t.column(), "reply text is empty");
                return null;
            }
        } else {
            text = c / 100 == 4 ? "Relaying Denied" : "Access denied";
        }
        if (c / 100 == 2) {
            error(code.column(), "reply code " + c + " is not a refusal; use 'accept'");
            return null;
        }
        return new Reply(c, status, List.of(text));
    }

    private Instant until(Token t, Token keyword) {
        if (t == null || t.quoted()) {
            error(t == null ? endColumn() : t.column(), "'until' takes a date (2026-12-31) or a time "
                    + "(2026-12-31T18:00:00Z)");
            return null;
        }
        try {
            if (t.text().length() == 10) {
                // A date means through that day, UTC: "until 2026-12-31" still blocks on the 31st.
                return LocalDate.parse(t.text()).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            return Instant.parse(t.text());
        } catch (DateTimeParseException e) {
            error(t.column(), "not a date (2026-12-31) or UTC time (2026-12-31T18:00:00Z): " + t.text());
            return null;
        }
    }

    private void check(Rule rule, Token atToken, Token withToken) {
        Reply reply = rule.reply();
        if (reply != null) {
            int c = reply.code();
            String problem = switch (rule.action()) {
                case TEMPFAIL -> c / 100 == 4 ? null : "'tempfail' takes a 4xx code, not " + c;
                case REJECT -> c / 100 == 5 ? null : "'reject' takes a 5xx code, not " + c;
                case DISCONNECT -> c == 421 || (c == 554 && rule.actAt() == Stage.CONNECT) ? null
                        : "'disconnect' takes 421, or 554 with 'at connect' (RFC 5321 §3.1, §3.8), not " + c;
                case WARN, ACCEPT -> null;
            };
            if (problem != null) {
                error(withToken.column(), problem);
            }
        }
        Stage needed = rule.neededStage();
        if (needed.compareTo(rule.actAt()) > 0) {
            String late = rule.conditions().stream().filter(c -> c.knownAt().compareTo(rule.actAt()) > 0)
                    .map(c -> "'" + c.body().split(" ")[0] + "'").distinct()
                    .reduce((a, b) -> a + ", " + b).orElse("");
            error(atToken.column(), "'at " + rule.actAt().name().toLowerCase(Locale.ROOT) + "' cannot use "
                    + late + ": known only at " + needed);
        }
    }
}
