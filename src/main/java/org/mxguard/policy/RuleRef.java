package org.mxguard.policy;

/**
 * Where a rule was written, for logs and {@code policy check}: "rules/access.rules:12"; a rule
 * that was not read from a file (the MX-skip rule) has line 0 and is named by its file part alone.
 *
 * @param file the rule file as named in the configuration
 * @param line 1-based line number, or 0
 */
public record RuleRef(String file, int line) {

    @Override
    public String toString() {
        return line == 0 ? file : file + ":" + line;
    }
}
