package org.mxguard.policy;

/**
 * One mistake in a rule file, with the place to fix it.
 *
 * @param file the file as named to mxguard
 * @param line 1-based line
 * @param column 1-based column of the offending word
 * @param message what is wrong, in words a postmaster can act on
 */
public record ParseError(String file, int line, int column, String message) {

    @Override
    public String toString() {
        // Line 0 is the file as a whole (it cannot be read, or includes itself).
        return line == 0 ? file + ": " + message : file + ":" + line + ":" + column + ": " + message;
    }
}
