package org.mxguard.config;

import java.util.List;

/**
 * The configuration cannot be used. Every problem names the file, the line and the key, as
 * {@code examples/backup-mx.yaml:12: smtp.max-recipients: must be at least 100 (RFC 5321 §4.5.3.1.8)}.
 */
public final class ConfigException extends Exception {

    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    public ConfigException(String problem) {
        this(List.of(problem));
    }

    public List<String> problems() {
        return problems;
    }
}
