package org.mxguard.spool;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.mxguard.mail.ClientInfo;
import org.mxguard.mail.Envelope;
import org.mxguard.mail.MailAddress;
import org.mxguard.mail.QueueId;

/**
 * The header of a message file (format version 1, see docs/spool-format.md): the queue id and the
 * envelope, then the content's size, then the content itself follows the header's empty line.
 *
 * <p>The size is written as a fixed-width placeholder when the file is created and filled in at
 * commit, so a reader can tell a complete file (header length + size = file length) from one a crash
 * cut short, without the writer holding the content in memory.
 *
 * @param id the queue id, also the file's name
 * @param envelope the envelope as accepted
 * @param size the content's length in octets
 * @param length the header's length in octets: where the content starts
 */
record MessageHeader(QueueId id, Envelope envelope, long size, long length) {

    static final String KIND = "mxguard-spool-message";
    static final int VERSION = 1;
    static final int SIZE_DIGITS = 20;

    private static final Set<String> FIELDS = Set.of("id", "received", "sender", "rcpt", "client-address",
            "client-port", "client-name", "client-helo", "client-protocol", "client-tls", "8bitmime", "smtputf8",
            "size");

    /** A new file's header octets, and the offset of its size placeholder. */
    record Draft(byte[] bytes, int sizeOffset) {
    }

    static Draft draft(QueueId id, Envelope envelope) {
        ClientInfo client = envelope.client();
        if (client == null || client.address() == null || envelope.received() == null) {
            throw new IllegalArgumentException("an envelope to spool needs a client address and a received time");
        }
        HeaderText text = new HeaderText(KIND, VERSION)
                .put("id", id.value())
                .put("received", envelope.received().toString())
                .put("sender", AddressField.encode(envelope.sender()));
        for (MailAddress rcpt : envelope.recipients()) {
            text.put("rcpt", AddressField.encode(rcpt));
        }
        text.put("client-address", addressLiteral(client.address()))
                .put("client-port", Integer.toString(client.port()));
        putOptional(text, "client-name", client.name());
        putOptional(text, "client-helo", client.helo());
        putOptional(text, "client-protocol", client.protocol());
        putOptional(text, "client-tls", client.tls());
        text.put("8bitmime", Boolean.toString(envelope.eightBitMime()))
                .put("smtputf8", Boolean.toString(envelope.smtpUtf8()));
        int sizeOffset = text.valueOffset("size");
        text.put("size", "0".repeat(SIZE_DIGITS));
        return new Draft(text.finish(), sizeOffset);
    }

    static byte[] sizeDigits(long size) {
        return String.format("%0" + SIZE_DIGITS + "d", size).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The address without an IPv6 scope ("%eth0"): an interface name need not exist when the file is
     * read back, and the scope says nothing about the sender.
     */
    private static String addressLiteral(InetAddress address) {
        try {
            return InetAddress.getByAddress(address.getAddress()).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + address, e);
        }
    }

    private static void putOptional(HeaderText text, String key, String value) {
        if (value != null) {
            text.put(key, FieldValue.escape(value));
        }
    }

    /** Reads a header from the start of {@code in}, leaving {@code in} at the first content octet. */
    static MessageHeader read(InputStream in) throws IOException {
        HeaderText.Parsed parsed = HeaderText.read(in, KIND, VERSION);
        HeaderFields f = parsed.fields();
        f.requireOnly(FIELDS);
        String idText = f.one("id");
        if (!QueueId.isValid(idText)) {
            throw new SpoolFormatException("bad queue id: " + idText);
        }
        List<MailAddress> recipients = new ArrayList<>();
        for (String rcpt : f.all("rcpt")) {
            recipients.add(AddressField.decode(rcpt));
        }
        if (recipients.isEmpty()) {
            throw new SpoolFormatException("no recipients");
        }
        long port = f.number("client-port", 0);
        if (port > 65535) {
            throw new SpoolFormatException("client-port out of range: " + port);
        }
        ClientInfo client = new ClientInfo(address(f.one("client-address")), (int) port,
                optional(f, "client-name"), optional(f, "client-helo"), optional(f, "client-protocol"),
                optional(f, "client-tls"));
        Envelope envelope = new Envelope(AddressField.decode(f.one("sender")), recipients, client,
                instant(f.one("received")), f.bool("8bitmime"), f.bool("smtputf8"));
        return new MessageHeader(new QueueId(idText), envelope, f.number("size", 0), parsed.length());
    }

    /** Reads and checks a message file's header against its name and length. */
    static MessageHeader readFile(QueueId id, Path message) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(message), 8192)) {
            MessageHeader header = read(in);
            check(id, header, Files.size(message));
            return header;
        } catch (SpoolFormatException e) {
            throw e.in(message);
        }
    }

    static void check(QueueId id, MessageHeader header, long fileLength) throws SpoolFormatException {
        if (!header.id().equals(id)) {
            throw new SpoolFormatException("header names queue id " + header.id() + ", not " + id);
        }
        if (header.length() + header.size() != fileLength) {
            throw new SpoolFormatException("file is " + fileLength + " octets, header says "
                    + (header.length() + header.size()) + " (truncated or overwritten)");
        }
    }

    static Instant instant(String text) throws SpoolFormatException {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new SpoolFormatException("not an ISO-8601 instant: " + text);
        }
    }

    private static InetAddress address(String text) throws SpoolFormatException {
        try {
            return InetAddress.ofLiteral(text);
        } catch (IllegalArgumentException e) {
            throw new SpoolFormatException("not an IP address literal: " + text);
        }
    }

    private static String optional(HeaderFields f, String key) throws SpoolFormatException {
        String value = f.optional(key);
        return value == null ? null : FieldValue.unescape(value);
    }
}
