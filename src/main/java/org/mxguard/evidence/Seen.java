package org.mxguard.evidence;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * A {@link PrimaryContact} as the local view holds it, one per client group, in two objects: this
 * record and one byte array with the address and the two names (HELO empty when it equals the
 * client name, as it does for most MTAs), instead of an {@link InetAddress}, an {@link Instant} and
 * two strings (six objects, about 120 bytes more per tracked client, each one for the collector to
 * trace). The primary's name is shared: it is the configured one or one of a few.
 *
 * @param data the address's length (4 or 16), its bytes, then the client name and the HELO, each
 *     as a 2-byte length and UTF-8 ({@code 0xffff}: the HELO is not known)
 * @param flags {@link #NULL_SENDER} and the source's ordinal shifted by one
 */
record Seen(byte[] data, String primary, long atMillis, int flags) {

    static final int NULL_SENDER = 1;
    private static final int NO_HELO = 0xffff;
    private static final int SAME_AS_NAME = 0xfffe;
    private static final PrimaryContact.Source[] SOURCES = PrimaryContact.Source.values();

    static Seen of(PrimaryContact c) {
        byte[] address = c.client().getAddress();
        byte[] name = c.clientName().getBytes(StandardCharsets.UTF_8);
        byte[] helo = c.helo() == null || c.helo().equals(c.clientName()) ? new byte[0]
                : c.helo().getBytes(StandardCharsets.UTF_8);
        // Names longer than a length field holds are cut: DNS names are at most 253 octets.
        int nameLength = Math.min(name.length, SAME_AS_NAME - 1);
        int heloLength = Math.min(helo.length, SAME_AS_NAME - 1);
        byte[] data = new byte[1 + address.length + 2 + nameLength + 2 + heloLength];
        int at = 0;
        data[at++] = (byte) address.length;
        System.arraycopy(address, 0, data, at, address.length);
        at += address.length;
        at = put(data, at, name, nameLength);
        if (c.helo() == null) {
            data[at++] = (byte) (NO_HELO >>> 8);
            data[at] = (byte) NO_HELO;
        } else if (helo.length == 0 && !c.helo().isEmpty()) {
            data[at++] = (byte) (SAME_AS_NAME >>> 8);
            data[at] = (byte) SAME_AS_NAME;
        } else {
            put(data, at, helo, heloLength);
        }
        return new Seen(data, c.primary(), c.at().toEpochMilli(),
                (c.nullSender() ? NULL_SENDER : 0) | c.source().ordinal() << 1);
    }

    private static int put(byte[] data, int at, byte[] text, int length) {
        data[at] = (byte) (length >>> 8);
        data[at + 1] = (byte) length;
        System.arraycopy(text, 0, data, at + 2, length);
        return at + 2 + length;
    }

    PrimaryContact contact() {
        int addressLength = data[0];
        byte[] address = new byte[addressLength];
        System.arraycopy(data, 1, address, 0, addressLength);
        InetAddress client;
        try {
            client = InetAddress.getByAddress(address);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a 4 or 16 byte address is always valid", e);
        }
        int at = 1 + addressLength;
        int nameLength = length(at);
        String name = new String(data, at + 2, nameLength, StandardCharsets.UTF_8);
        at += 2 + nameLength;
        int heloLength = length(at);
        String helo = switch (heloLength) {
            case NO_HELO -> null;
            case SAME_AS_NAME -> name;
            default -> new String(data, at + 2, heloLength, StandardCharsets.UTF_8);
        };
        return new PrimaryContact(client, name, helo, (flags & NULL_SENDER) != 0, primary,
                Instant.ofEpochMilli(atMillis), SOURCES[flags >>> 1]);
    }

    private int length(int at) {
        return (data[at] & 0xff) << 8 | data[at + 1] & 0xff;
    }

    /** The later of two contacts of one group (the fresh one on a tie: it carries the latest details). */
    static Seen newer(Seen old, Seen fresh) {
        return fresh.atMillis < old.atMillis ? old : fresh;
    }
}
