package org.mxguard.config;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;

/** Parsing of the units the configuration and the rule files write: sizes, durations, host:port. */
public final class Units {

    private Units() {
    }

    /** "10240", "10k", "50m", "1g" (powers of 1024). */
    public static long parseSize(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        long factor = 1;
        if (s.endsWith("b")) {
            s = s.substring(0, s.length() - 1);
        }
        if (!s.isEmpty()) {
            switch (s.charAt(s.length() - 1)) {
                case 'k' -> factor = 1024L;
                case 'm' -> factor = 1024L * 1024;
                case 'g' -> factor = 1024L * 1024 * 1024;
                default -> factor = 1;
            }
            if (factor != 1) {
                s = s.substring(0, s.length() - 1);
            }
        }
        try {
            long n = Long.parseLong(s.strip());
            if (n < 0) {
                throw new IllegalArgumentException("a size cannot be negative: " + text);
            }
            return Math.multiplyExact(n, factor);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("not a size (use 10240, 10k, 50m or 1g): '" + text + "'", e);
        }
    }

    /** "500ms", "300s", "5m", "4h", "5d", "2w" or plain seconds. */
    public static Duration parseDuration(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        try {
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            }
            if (s.isEmpty()) {
                throw new NumberFormatException("empty");
            }
            char unit = s.charAt(s.length() - 1);
            String number = Character.isDigit(unit) ? s : s.substring(0, s.length() - 1);
            long n = Long.parseLong(number);
            if (n < 0) {
                throw new IllegalArgumentException("a duration cannot be negative: '" + text + "'");
            }
            return switch (unit) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                case 'w' -> Duration.ofDays(7 * n);
                default -> {
                    if (!Character.isDigit(unit)) {
                        throw new NumberFormatException();
                    }
                    yield Duration.ofSeconds(n);
                }
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a duration (use 500ms, 300s, 5m, 4h or 5d): '" + text + "'", e);
        }
    }

    /** "127.0.0.1:25", "[::1]:2525", "0.0.0.0", "*:25" (all addresses); the port defaults when absent. */
    public static InetSocketAddress parseHostPort(String text, int defaultPort) {
        String s = text.strip();
        String host;
        int port = defaultPort;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("missing ']' in '" + text + "'");
            }
            host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (rest.startsWith(":")) {
                port = parsePort(rest.substring(1), text);
            } else if (!rest.isEmpty()) {
                throw new IllegalArgumentException("expected host:port, not '" + text + "'");
            }
        } else {
            int colon = s.lastIndexOf(':');
            if (colon >= 0 && s.indexOf(':') == colon) {
                host = s.substring(0, colon);
                port = parsePort(s.substring(colon + 1), text);
            } else {
                host = s;
            }
        }
        if (host.isEmpty() || host.equals("*")) {
            return new InetSocketAddress(port);
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    private static int parsePort(String text, String whole) {
        try {
            int port = Integer.parseInt(text);
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a port number in '" + whole + "'", e);
        }
    }
}
