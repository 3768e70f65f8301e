package org.mxguard.evidence;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;

/**
 * A {@link PrimaryContact} as the local view holds it, one per client group: the address as its 4 or
 * 16 bytes and the time as epoch milliseconds instead of an {@link InetAddress} and an
 * {@link Instant} (about 60 bytes less per tracked client); the names are the contact's
 * own strings, the HELO shared with the client name when they are equal (as they are for most MTAs).
 *
 * @param address the client's address bytes
 * @param flags {@link #NULL_SENDER} and the source's ordinal shifted by one
 */
record Seen(byte[] address, String clientName, String helo, String primary, long atMillis, int flags) {

    static final int NULL_SENDER = 1;
    private static final PrimaryContact.Source[] SOURCES = PrimaryContact.Source.values();

    static Seen of(PrimaryContact c) {
        String helo = c.clientName().equals(c.helo()) ? c.clientName() : c.helo();
        return new Seen(c.client().getAddress(), c.clientName(), helo, c.primary(), c.at().toEpochMilli(),
                (c.nullSender() ? NULL_SENDER : 0) | c.source().ordinal() << 1);
    }

    PrimaryContact contact() {
        InetAddress client;
        try {
            client = InetAddress.getByAddress(address);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a 4 or 16 byte address is always valid", e);
        }
        return new PrimaryContact(client, clientName, helo, (flags & NULL_SENDER) != 0, primary,
                Instant.ofEpochMilli(atMillis), SOURCES[flags >>> 1]);
    }

    /** The later of two contacts of one group (the fresh one on a tie: it carries the latest details). */
    static Seen newer(Seen old, Seen fresh) {
        return fresh.atMillis < old.atMillis ? old : fresh;
    }
}
