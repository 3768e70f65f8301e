package org.mxguard.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML mapping written as text: scalar values (YAML as it stands in the file) and nested mappings
 * by key, in the order first set, then free lines of YAML. Only what a configuration file needs; the
 * values are not parsed, so a test says exactly what the file says.
 */
final class YamlMapping {

    private final Map<String, Object> entries = new LinkedHashMap<>();
    private final List<String> lines = new ArrayList<>();

    /** The mapping at {@code key}, made empty on first use. */
    YamlMapping mapping(String key) {
        if (entries.computeIfAbsent(key, k -> new YamlMapping()) instanceof YamlMapping mapping) {
            return mapping;
        }
        throw new IllegalArgumentException(key + " holds a value, not a mapping");
    }

    /** The mapping at the path of keys, each made on first use; this one for an empty path. */
    YamlMapping mapping(List<String> path) {
        YamlMapping mapping = this;
        for (String key : path) {
            mapping = mapping.mapping(key);
        }
        return mapping;
    }

    void put(String key, String yamlValue) {
        entries.put(key, yamlValue);
    }

    /** Adds the lines of {@code yaml} that are not blank, without the indentation they all share. */
    void append(String yaml) {
        List<String> text = yaml.lines().filter(line -> !line.isBlank()).toList();
        int margin = text.stream().mapToInt(line -> line.length() - line.stripLeading().length()).min().orElse(0);
        text.forEach(line -> lines.add(line.substring(margin)));
    }

    void appendTo(StringBuilder out, String indent) {
        entries.forEach((key, value) -> {
            if (value instanceof YamlMapping mapping) {
                out.append(indent).append(key).append(":\n");
                mapping.appendTo(out, indent + "  ");
            } else {
                out.append(indent).append(key).append(": ").append(value).append('\n');
            }
        });
        lines.forEach(line -> out.append(indent).append(line).append('\n'));
    }
}
