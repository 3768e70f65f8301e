package org.mxguard.hostclass;

import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Finds a client's own IPv4 address written into its reverse name, the mark of names generated
 * for a whole pool: {@code 1-2-3-4}, {@code 4.3.2.1}, {@code 001002003004}, {@code 01020304} (hex),
 * or just the last two octets ({@code pool85-60-238}, {@code 54-82}).
 */
final class EmbeddedAddress {

    /** Compiled once: replaceAll with a regular expression compiles it at each call. */
    private static final Pattern NON_DIGITS = Pattern.compile("[^0-9]+");

    private EmbeddedAddress() {
    }

    /** 2 for the whole address, 1 for its last two octets, 0 for neither. */
    static int points(String hostPart, byte[] address) {
        if (address.length != 4) {
            return 0;
        }
        int[] o = {address[0] & 0xff, address[1] & 0xff, address[2] & 0xff, address[3] & 0xff};
        String digitsOnly = NON_DIGITS.matcher(hostPart).replaceAll(" ").trim();
        String[] numbers = digitsOnly.isEmpty() ? new String[0] : digitsOnly.split(" ");
        if (containsRun(numbers, o) || containsRun(numbers, new int[] {o[3], o[2], o[1], o[0]})) {
            return 2;
        }
        // Zero-padded to three digits each, without String.format, whose parsing of the format is most of
        // the work for the few hundred named clients of an analysis.
        StringBuilder padded = new StringBuilder(12);
        for (int octet : o) {
            padded.append((char) ('0' + octet / 100)).append((char) ('0' + octet / 10 % 10))
                    .append((char) ('0' + octet % 10));
        }
        String hex = HexFormat.of().formatHex(address);
        if (hostPart.contains(padded) || hostPart.contains(hex)) {
            return 2;
        }
        if (containsRun(numbers, new int[] {o[2], o[3]}) || containsRun(numbers, new int[] {o[3], o[2]})) {
            return 1;
        }
        return 0;
    }

    private static boolean containsRun(String[] numbers, int[] run) {
        outer:
        for (int i = 0; i + run.length <= numbers.length; i++) {
            for (int j = 0; j < run.length; j++) {
                String n = numbers[i + j];
                if (n.length() > 3 || Integer.parseInt(n) != run[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
