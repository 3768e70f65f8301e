package org.mxguard.delivery;

import com.google.common.net.InetAddresses;
import java.net.Inet6Address;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.mxguard.mail.ClientInfo;

/**
 * Postfix's XFORWARD command (XFORWARD_README): hands the original client's identity to the
 * primary, so its logs and policy see the real source instead of this backup MX.
 */
final class Xforward {

    private static final String VERB = "XFORWARD";
    private static final String UNAVAILABLE = "[UNAVAILABLE]";
    // RFC 5321 §4.5.3.1.4: a command line is at most 512 octets including CRLF.
    private static final int MAX_COMMAND = 510;

    private Xforward() {
    }

    /**
     * The commands to send: only the attributes the server listed after the XFORWARD keyword,
     * xtext-encoded, packed into as few command lines as fit.
     */
    static List<String> commands(ClientInfo client, String offeredAttributes) {
        List<String> offered = List.of(offeredAttributes.toUpperCase(Locale.ROOT).split(" "));
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("NAME", client.nameVerified() ? client.name() : UNAVAILABLE);
        attributes.put("ADDR", (client.address() instanceof Inet6Address ? "IPV6:" : "")
                + InetAddresses.toAddrString(client.address()));
        attributes.put("PORT", Integer.toString(client.port()));
        attributes.put("HELO", client.helo() == null ? UNAVAILABLE : client.helo());
        attributes.put("PROTO", client.protocol() == null ? UNAVAILABLE : client.protocol());
        List<String> commands = new ArrayList<>();
        StringBuilder cmd = new StringBuilder(VERB);
        for (Map.Entry<String, String> attribute : attributes.entrySet()) {
            if (!offered.contains(attribute.getKey())) {
                continue;
            }
            String item = " " + attribute.getKey() + "=" + xtext(attribute.getValue());
            if (cmd.length() + item.length() > MAX_COMMAND && cmd.length() > VERB.length()) {
                commands.add(cmd.toString());
                cmd = new StringBuilder(VERB);
            }
            cmd.append(item);
        }
        if (cmd.length() > VERB.length()) {
            commands.add(cmd.toString());
        }
        return commands;
    }

    /** RFC 3461 §4 xtext: "+", "=", controls, space and non-ASCII as +HH; at most 255 characters. */
    static String xtext(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c < 33 || c > 126 || c == '+' || c == '=') {
                out.append('+').append(String.format("%02X", c));
            } else {
                out.append((char) c);
            }
        }
        return out.length() > 255 ? out.substring(0, 255) : out.toString();
    }
}
