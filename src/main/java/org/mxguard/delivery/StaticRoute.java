package org.mxguard.delivery;

/**
 * A fixed next hop for a domain that overrides DNS, written as Postfix writes a transport
 * nexthop: {@code [host]:port} (brackets: no MX lookup; the port defaults to 25).
 *
 * @param host a host name or an IP literal
 * @param port 1..65535
 */
public record StaticRoute(String host, int port) {

    public StaticRoute {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("static route without a host");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("static route port out of range: " + port);
        }
    }

    /** Parses "[mx.example]:2525", "[192.0.2.1]", "[2001:db8::1]:25" or "mx.example:25". */
    public static StaticRoute parse(String text) {
        String s = text.strip();
        String host;
        String rest;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("static route: missing ']' in " + text);
            }
            host = s.substring(1, close);
            rest = s.substring(close + 1);
        } else {
            int colon = s.lastIndexOf(':');
            host = colon < 0 ? s : s.substring(0, colon);
            rest = colon < 0 ? "" : s.substring(colon);
        }
        int port = 25;
        if (!rest.isEmpty()) {
            if (!rest.startsWith(":")) {
                throw new IllegalArgumentException("static route: expected ':port' after the host in " + text);
            }
            try {
                port = Integer.parseInt(rest.substring(1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("static route: bad port in " + text, e);
            }
        }
        return new StaticRoute(host, port);
    }

    @Override
    public String toString() {
        return "[" + host + "]:" + port;
    }
}
