package org.mxguard.mail;

import java.util.List;

/**
 * One SMTP reply: a three-digit code, an RFC 3463 enhanced status and one or more text lines.
 * Every reply mxguard sends carries an enhanced status, except the greeting and the EHLO
 * response whose first line is the server name (RFC 2034 §3 exempts them).
 *
 * @param code 200..599
 * @param status the enhanced status, or null for greeting, EHLO and HELO replies
 * @param lines at least one line of text (without CRLF)
 */
public record Reply(int code, EnhancedStatus status, List<String> lines) {

    public Reply {
        if (code < 200 || code > 599) {
            throw new IllegalArgumentException("reply code out of range: " + code);
        }
        if (status != null && status.klass() != code / 100) {
            throw new IllegalArgumentException("enhanced status " + status + " does not match code " + code);
        }
        lines = List.copyOf(lines);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("a reply has at least one line");
        }
    }

    public static Reply of(int code, String status, String text) {
        return new Reply(code, status == null ? null : EnhancedStatus.parse(status), List.of(text));
    }

    public boolean isPositive() {
        return code < 400;
    }

    public boolean isTransient() {
        return code >= 400 && code < 500;
    }

    public boolean isPermanent() {
        return code >= 500;
    }

    /** The first line's text with the enhanced status in front, as logs quote it: "4.7.1 Relaying Denied". */
    public String text() {
        return status == null ? lines.getFirst() : status + " " + lines.getFirst();
    }

    /** The same reply as a 4xx (soft bounce): 550 5.7.1 becomes 450 4.7.1. */
    public Reply softened() {
        if (!isPermanent()) {
            return this;
        }
        return new Reply(code - 100, status == null ? null : status.withClass(4), lines);
    }

    /** The wire form: every line prefixed by the code, continuation lines with '-', each ending in CRLF. */
    public String render() {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            out.append(code).append(i + 1 < lines.size() ? '-' : ' ');
            if (status != null) {
                out.append(status).append(' ');
            }
            out.append(lines.get(i)).append("\r\n");
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return code + " " + text();
    }
}
