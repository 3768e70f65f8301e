package org.mxguard.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits one rule line into words. A word is a run of non-blank characters or a double-quoted
 * string ({@code \"} and {@code \\} escape); {@code #} outside quotes starts a comment.
 */
final class RuleTokenizer {

    /** One word and where it starts (1-based column). */
    record Token(String text, int column, boolean quoted) {
    }

    /** A word the tokenizer could not read, such as an unterminated quote. */
    static final class TokenException extends Exception {
        private final int column;

        TokenException(int column, String message) {
            super(message);
            this.column = column;
        }

        int column() {
            return column;
        }
    }

    private RuleTokenizer() {
    }

    static List<Token> tokenize(String line) throws TokenException {
        List<Token> tokens = new ArrayList<>();
        int i = 0;
        int n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (c == ' ' || c == '\t' || c == '\r') {
                i++;
            } else if (c == '#') {
                break;
            } else if (c == '"') {
                int start = i;
                StringBuilder text = new StringBuilder();
                i++;
                boolean closed = false;
                while (i < n) {
                    char d = line.charAt(i);
                    if (d == '\\' && i + 1 < n) {
                        text.append(line.charAt(i + 1));
                        i += 2;
                    } else if (d == '"') {
                        closed = true;
                        i++;
                        break;
                    } else {
                        text.append(d);
                        i++;
                    }
                }
                if (!closed) {
                    throw new TokenException(start + 1, "unterminated quoted text");
                }
                tokens.add(new Token(text.toString(), start + 1, true));
            } else if (Character.isISOControl(c)) {
                throw new TokenException(i + 1, "control character U+%04X".formatted((int) c));
            } else {
                int start = i;
                while (i < n && " \t\r\"".indexOf(line.charAt(i)) < 0) {
                    if (Character.isISOControl(line.charAt(i))) {
                        throw new TokenException(i + 1, "control character U+%04X".formatted((int) line.charAt(i)));
                    }
                    i++;
                }
                tokens.add(new Token(line.substring(start, i), start + 1, false));
            }
        }
        return tokens;
    }
}
