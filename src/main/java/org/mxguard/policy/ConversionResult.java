package org.mxguard.policy;

import java.util.List;

/**
 * The outcome of translating between mxguard rules and another system's tables.
 *
 * @param lines the translated lines, in the order they must be written
 * @param untranslatable every entry that could not be translated, with its place and the reason
 * @param notes translations that are close but not exact, so the postmaster can review them
 */
public record ConversionResult(List<String> lines, List<String> untranslatable, List<String> notes) {

    public ConversionResult {
        lines = List.copyOf(lines);
        untranslatable = List.copyOf(untranslatable);
        notes = List.copyOf(notes);
    }
}
