package org.mxguard.policy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.mxguard.policy.RuleParser.ListValue;
import org.mxguard.policy.RuleTokenizer.Token;

/**
 * Reads a rule file: one rule per line, {@code #} comments, {@code include FILE} (another rule
 * file, relative to the including one) and {@code @FILE} list values (one value per line). Reads
 * on after an error so that one run reports every mistake; any error fails the whole file.
 */
public final class RuleFileReader {

    private static final int MAX_ERRORS = 100;
    private static final int MAX_INCLUDE_DEPTH = 8;

    private final List<ParseError> errors = new ArrayList<>();
    private final Deque<Path> including = new ArrayDeque<>();
    private final Map<Path, List<ListValue>> listCache = new HashMap<>();
    private final Set<Path> filesRead = new LinkedHashSet<>();
    private final boolean filesAllowed;
    private final NullSenderGuard guard;

    private RuleFileReader(boolean filesAllowed, NullSenderGuard guard) {
        this.filesAllowed = filesAllowed;
        this.guard = guard;
    }

    /** Reads every rule of a file and the files it includes, in order. */
    public static List<Rule> read(Path file) throws PolicyParseException {
        List<Rule> rules = new ArrayList<>();
        read(file, rules::add);
        return rules;
    }

    /**
     * Streams the rules to {@code sink} as they are read (a million-rule file never exists as a
     * list). The sink may have seen rules when this throws; the caller discards them.
     *
     * @return every file read: the rule file, its includes and list files (to watch for changes)
     */
    public static List<Path> read(Path file, Consumer<Rule> sink) throws PolicyParseException {
        return read(file, NullSenderGuard.DOMAINS_UNKNOWN, sink);
    }

    /** As {@link #read(Path, Consumer)}, judging {@code to} conditions against the protected domains. */
    public static List<Path> read(Path file, NullSenderGuard guard, Consumer<Rule> sink) throws PolicyParseException {
        RuleFileReader reader = new RuleFileReader(true, guard);
        reader.readFile(file, file.toString(), sink, 0);
        reader.finish();
        return List.copyOf(reader.filesRead);
    }

    /** Parses rule text that comes from no file: include and list files are refused. */
    public static List<Rule> parse(String name, String text) throws PolicyParseException {
        return parse(name, text, NullSenderGuard.DOMAINS_UNKNOWN);
    }

    /** As {@link #parse(String, String)}, judging {@code to} conditions against the protected domains. */
    public static List<Rule> parse(String name, String text, NullSenderGuard guard) throws PolicyParseException {
        RuleFileReader reader = new RuleFileReader(false, guard);
        List<Rule> rules = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new StringReader(text))) {
            reader.readLines(in, name, null, rules::add, 0);
        } catch (IOException e) {
            throw new IllegalStateException("a StringReader does not fail", e);
        }
        reader.finish();
        return rules;
    }

    private void finish() throws PolicyParseException {
        if (!errors.isEmpty()) {
            throw new PolicyParseException(errors);
        }
    }

    private void error(String file, int line, int column, String message) {
        if (errors.size() < MAX_ERRORS) {
            errors.add(new ParseError(file, line, column, message));
        }
    }

    private void readFile(Path file, String name, Consumer<Rule> sink, int depth) {
        Path real = file.toAbsolutePath().normalize();
        if (including.contains(real)) {
            error(name, 0, 0, "include loop: " + name + " includes itself");
            return;
        }
        including.push(real);
        filesRead.add(file);
        try (BufferedReader in = utf8(file)) {
            readLines(in, name, file.toAbsolutePath().getParent(), sink, depth);
        } catch (IOException e) {
            error(name, 0, 0, "cannot read rules file: " + e);
        } finally {
            including.pop();
        }
    }

    private static BufferedReader utf8(Path file) throws IOException {
        return new BufferedReader(new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8
                .newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE)), 1 << 16);
    }

    private void readLines(BufferedReader in, String name, Path dir, Consumer<Rule> sink, int depth)
            throws IOException {
        String line;
        int lineNo = 0;
        while ((line = in.readLine()) != null) {
            lineNo++;
            if (errors.size() >= MAX_ERRORS) {
                return;
            }
            int before = errors.size();
            if (!readLine(line, name, lineNo, dir, sink, depth) && depth > 0 && errors.size() > before) {
                // An included file may be anything the include names (/etc/shadow, another user's
                // file), and error messages reach whoever reloads the rules: its text is never quoted.
                int column = errors.get(before).column();
                errors.subList(before, errors.size()).clear();
                error(name, lineNo, column, "not a valid rule; the text of an included file is not repeated in "
                        + "messages, and the rest of this file was not read");
                return;
            }
        }
    }

    /** Reads one line; true if it was an include (whose errors belong to the included file). */
    private boolean readLine(String line, String name, int lineNo, Path dir, Consumer<Rule> sink, int depth) {
        int bad = line.indexOf('\uFFFD');
        if (bad >= 0) {
            error(name, lineNo, bad + 1, "not UTF-8");
            return false;
        }
        List<Token> tokens;
        try {
            tokens = RuleTokenizer.tokenize(line);
        } catch (RuleTokenizer.TokenException e) {
            error(name, lineNo, e.column(), e.getMessage());
            return false;
        }
        if (tokens.isEmpty()) {
            return false;
        }
        Token first = tokens.getFirst();
        if (!first.quoted() && first.text().equalsIgnoreCase("include")) {
            include(tokens, name, lineNo, dir, sink, depth);
            return true;
        }
        Rule rule = RuleParser.parse(name, lineNo, tokens,
                (list, file, l, col) -> readList(list, dir, file, lineNo, col), errors);
        String unsafe = rule == null ? null : guard.violation(rule);
        if (unsafe != null) {
            error(name, lineNo, first.column(), unsafe);
        } else if (rule != null) {
            sink.accept(rule);
        }
        return false;
    }

    private void include(List<Token> tokens, String name, int lineNo, Path dir, Consumer<Rule> sink, int depth) {
        if (tokens.size() != 2) {
            error(name, lineNo, tokens.getFirst().column(), "include takes exactly one file name");
            return;
        }
        if (!filesAllowed) {
            error(name, lineNo, 1, "include is not allowed in rules that come from no file");
            return;
        }
        if (depth >= MAX_INCLUDE_DEPTH) {
            error(name, lineNo, 1, "includes nested deeper than " + MAX_INCLUDE_DEPTH);
            return;
        }
        Path target = dir.resolve(tokens.get(1).text());
        if (including.contains(target.toAbsolutePath().normalize())) {
            error(name, lineNo, tokens.get(1).column(), "include loop: " + target + " is already being read");
            return;
        }
        if (!Files.isReadable(target)) {
            error(name, lineNo, tokens.get(1).column(), "cannot read included file " + target);
            return;
        }
        readFile(target, target.toString(), sink, depth + 1);
    }

    private List<ListValue> readList(String list, Path dir, String file, int line, int column) {
        if (!filesAllowed) {
            error(file, line, column, "@list files are not allowed in rules that come from no file");
            return List.of();
        }
        if (list.isEmpty()) {
            error(file, line, column, "'@' must be followed by a list file name");
            return List.of();
        }
        Path target = dir.resolve(list).toAbsolutePath().normalize();
        List<ListValue> cached = listCache.get(target);
        if (cached != null) {
            return cached;
        }
        List<ListValue> values = new ArrayList<>();
        String listName = dir.resolve(list).toString();
        filesRead.add(dir.resolve(list));
        try (BufferedReader in = utf8(target)) {
            String text;
            int n = 0;
            while ((text = in.readLine()) != null) {
                n++;
                int hash = text.indexOf('#');
                String value = (hash < 0 ? text : text.substring(0, hash)).strip();
                if (value.isEmpty()) {
                    continue;
                }
                if (value.indexOf('\uFFFD') >= 0 || value.chars().anyMatch(c -> c <= ' ')) {
                    error(listName, n, 1, "one value per line, without spaces or control characters");
                    continue;
                }
                values.add(new ListValue(value, listName, n, text.indexOf(value) + 1));
            }
        } catch (IOException e) {
            error(file, line, column, "cannot read list file " + listName + ": " + e.getMessage());
        }
        listCache.put(target, values);
        return values;
    }
}
