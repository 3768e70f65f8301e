package org.mxguard.policy;

/**
 * Where a rule was written, for logs and {@code policy check}: "rules/access.rules:12".
 *
 * @param file the rule file as named in the configuration
 * @param line 1-based line number
 */
public record RuleRef(String file, int line) {

    @Override
    public String toString() {
        return file + ":" + line;
    }
}
