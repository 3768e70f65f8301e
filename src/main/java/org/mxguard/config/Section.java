package org.mxguard.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * One YAML mapping of the configuration, read key by key with typed getters. Every getter takes
 * the default to use when the key is absent; every problem is collected with file, line and the
 * full key, and keys nobody asked for are reported by {@link #finish()} as unknown.
 */
final class Section {

    private final String file;
    private final String prefix;
    private final Map<String, Node> values = new LinkedHashMap<>();
    private final Map<String, Integer> keyLines = new LinkedHashMap<>();
    private final Set<String> read = new HashSet<>();
    private final List<String> problems;
    private final int line;

    private Section(String file, String prefix, MappingNode node, List<String> problems) {
        this.file = file;
        this.prefix = prefix;
        this.problems = problems;
        this.line = lineOf(node);
        if (node == null) {
            return;
        }
        for (NodeTuple tuple : node.getValue()) {
            if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
                problems.add(file + ":" + lineOf(tuple.getKeyNode()) + ": " + prefix + ": keys must be plain names");
                continue;
            }
            if (values.containsKey(key.getValue())) {
                problems.add(at(key, key.getValue()) + "given twice");
            }
            values.put(key.getValue(), tuple.getValueNode());
            keyLines.put(key.getValue(), lineOf(key));
        }
    }

    /** The top level of a document; a document that is not a mapping is a problem. */
    static Section root(String file, Node node, List<String> problems) {
        if (node != null && !(node instanceof MappingNode)) {
            problems.add(file + ":" + lineOf(node) + ": the configuration must be a mapping of keys to values");
            return new Section(file, "", null, problems);
        }
        return new Section(file, "", (MappingNode) node, problems);
    }

    static int lineOf(Node node) {
        return node == null ? 1 : node.getStartMark().map(m -> m.getLine() + 1).orElse(1);
    }

    String file() {
        return file;
    }

    boolean has(String key) {
        return values.containsKey(key);
    }

    /** "file:line: key: " for messages about a key of this section. */
    String at(String key) {
        return file + ":" + keyLines.getOrDefault(key, line) + ": " + name(key) + ": ";
    }

    private String at(Node node, String key) {
        return file + ":" + lineOf(node) + ": " + name(key) + ": ";
    }

    String name(String key) {
        return prefix.isEmpty() ? key : prefix + "." + key;
    }

    void problem(String key, String message) {
        problems.add(at(key) + message);
    }

    Section section(String key) {
        Node node = take(key);
        if (node == null) {
            return new Section(file, name(key), null, problems);
        }
        if (!(node instanceof MappingNode mapping)) {
            problem(key, "must be a mapping of keys to values");
            return new Section(file, name(key), null, problems);
        }
        return new Section(file, name(key), mapping, problems);
    }

    String string(String key, String fallback) {
        Node node = take(key);
        if (node == null) {
            return fallback;
        }
        if (!(node instanceof ScalarNode scalar)) {
            problem(key, "must be a single value");
            return fallback;
        }
        return scalar.getValue();
    }

    /** A list of strings; a single scalar counts as a list of one. */
    List<String> strings(String key, List<String> fallback) {
        Node node = take(key);
        if (node == null) {
            return fallback;
        }
        if (node instanceof ScalarNode scalar) {
            return scalar.getValue().isEmpty() ? List.of() : List.of(scalar.getValue());
        }
        if (!(node instanceof SequenceNode sequence)) {
            problem(key, "must be a list");
            return fallback;
        }
        List<String> out = new ArrayList<>();
        for (Node item : sequence.getValue()) {
            if (item instanceof ScalarNode scalar) {
                out.add(scalar.getValue());
            } else {
                problems.add(at(item, key) + "list items must be single values");
            }
        }
        return out;
    }

    /** Each list item converted; a failing item is reported at its own line. */
    <T> List<T> list(String key, List<T> fallback, Function<String, T> parse) {
        Node node = take(key);
        if (node == null) {
            return fallback;
        }
        List<Node> items = node instanceof SequenceNode sequence ? sequence.getValue() : List.of(node);
        List<T> out = new ArrayList<>();
        for (Node item : items) {
            if (!(item instanceof ScalarNode scalar)) {
                problems.add(at(item, key) + "list items must be single values");
                continue;
            }
            try {
                out.add(parse.apply(scalar.getValue()));
            } catch (IllegalArgumentException e) {
                problems.add(at(item, key) + e.getMessage());
            }
        }
        return out;
    }

    /**
     * A mapping of names to single values, each entry converted by {@code parse(name, value)}; a
     * failing entry is reported at its own line and left out.
     */
    <T> Map<String, T> map(String key, java.util.function.BiFunction<String, String, T> parse) {
        Node node = take(key);
        Map<String, T> out = new LinkedHashMap<>();
        if (node == null) {
            return out;
        }
        if (!(node instanceof MappingNode mapping)) {
            problem(key, "must be a mapping of names to values");
            return out;
        }
        for (NodeTuple tuple : mapping.getValue()) {
            if (!(tuple.getKeyNode() instanceof ScalarNode name) || !(tuple.getValueNode() instanceof ScalarNode value)) {
                problems.add(at(tuple.getKeyNode(), key) + "entries must be 'name: value'");
                continue;
            }
            try {
                out.put(name.getValue(), parse.apply(name.getValue(), value.getValue()));
            } catch (IllegalArgumentException e) {
                problems.add(at(name, key) + name.getValue() + ": " + e.getMessage());
            }
        }
        return out;
    }

    boolean bool(String key, boolean fallback) {
        String text = string(key, null);
        if (text == null) {
            return fallback;
        }
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> {
                problem(key, "must be true or false, not '" + text + "'");
                yield fallback;
            }
        };
    }

    long integer(String key, long fallback, long min, long max) {
        String text = string(key, null);
        if (text == null) {
            return fallback;
        }
        try {
            long value = Long.parseLong(text.strip());
            if (value < min || value > max) {
                problem(key, "must be between " + min + " and " + max + ", not " + value);
                return fallback;
            }
            return value;
        } catch (NumberFormatException e) {
            problem(key, "must be a whole number, not '" + text + "'");
            return fallback;
        }
    }

    /** A byte size: "10240", "10k", "50m", "1g" (powers of 1024). */
    long size(String key, long fallback, long min) {
        String text = string(key, null);
        if (text == null) {
            return fallback;
        }
        try {
            long value = Units.parseSize(text);
            if (value < min) {
                problem(key, "must be at least " + min + " bytes, not " + text);
                return fallback;
            }
            return value;
        } catch (IllegalArgumentException e) {
            problem(key, e.getMessage());
            return fallback;
        }
    }

    /** A duration: "300s", "5m", "4h", "5d", "500ms" or plain seconds. */
    Duration duration(String key, Duration fallback) {
        String text = string(key, null);
        if (text == null) {
            return fallback;
        }
        try {
            return Units.parseDuration(text);
        } catch (IllegalArgumentException e) {
            problem(key, e.getMessage());
            return fallback;
        }
    }

    Path path(String key, Path fallback) {
        String text = string(key, null);
        return text == null || text.isBlank() ? fallback : Path.of(text);
    }

    <T> T value(String key, T fallback, Function<String, T> parse) {
        String text = string(key, null);
        if (text == null) {
            return fallback;
        }
        try {
            return parse.apply(text);
        } catch (IllegalArgumentException e) {
            problem(key, e.getMessage());
            return fallback;
        }
    }

    /** Reports every key of this section that no getter asked for. Call after reading all keys. */
    void finish() {
        List<String> known = new ArrayList<>(read);
        known.sort(null);
        for (String key : values.keySet()) {
            if (!read.contains(key)) {
                String hint = known.isEmpty() ? "" : " (known keys: " + String.join(", ", known) + ")";
                problems.add(file + ":" + keyLines.get(key) + ": " + name(key) + ": unknown key" + hint);
            }
        }
    }

    private Node take(String key) {
        read.add(key);
        return values.get(key);
    }
}
