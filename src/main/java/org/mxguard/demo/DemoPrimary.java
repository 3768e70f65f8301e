package org.mxguard.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.mxguard.maillog.MailLog;
import org.mxguard.policy.Cidr;

/**
 * The demo's primary MX: an SMTP server on loopback that takes every message and keeps only its
 * Message-ID, and writes the smtpd, cleanup and qmgr lines a Postfix primary would. mxguard follows
 * that log as it would a real primary's, and learns from it which clients tried the primary.
 *
 * <p>Clients in the {@code busy} network get {@code 421} at the greeting, as from an overloaded
 * primary; their connection is still in the log. Only for the demo: no spool, no delivery, no
 * limits beyond a read timeout.
 */
public final class DemoPrimary implements AutoCloseable {

    private final ServerSocket socket;
    private final MailLog log;
    private final Cidr busy;
    private final Function<InetAddress, String> names;
    private final Set<String> received = ConcurrentHashMap.newKeySet();
    private final AtomicLong ids = new AtomicLong(0x1000);
    private final ExecutorService sessions = Executors.newVirtualThreadPerTaskExecutor();

    private DemoPrimary(ServerSocket socket, MailLog log, Cidr busy, Function<InetAddress, String> names) {
        this.socket = socket;
        this.log = log;
        this.busy = busy;
        this.names = names;
    }

    /**
     * Listens on 127.0.0.1, a port chosen by the system.
     *
     * @param log where the Postfix lines go (the file mxguard follows)
     * @param busy clients answered 421 at the greeting
     * @param names the clients' names as the primary's reverse lookups would find them
     */
    public static DemoPrimary start(MailLog log, Cidr busy, Function<InetAddress, String> names) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        DemoPrimary primary = new DemoPrimary(socket, log, busy, names);
        Thread.ofVirtual().name("demo-primary").start(primary::accept);
        return primary;
    }

    public int port() {
        return socket.getLocalPort();
    }

    /** Whether a message with this Message-ID (as written in the header, with brackets) arrived. */
    public boolean received(String messageId) {
        return received.contains(messageId);
    }

    public int receivedCount() {
        return received.size();
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket client = socket.accept();
                sessions.submit(() -> session(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void session(Socket client) {
        InetAddress address = client.getInetAddress();
        String who = names.apply(address) + "[" + address.getHostAddress() + "]";
        try (client) {
            client.setSoTimeout(30_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(),
                    StandardCharsets.ISO_8859_1));
            OutputStream out = client.getOutputStream();
            log.log("smtpd", "connect from " + who);
            if (busy.contains(Cidr.of(address))) {
                reply(out, "421 4.3.2 mx1.demo.example Service temporarily unavailable, try again later");
                log.log("smtpd", "disconnect from " + who);
                return;
            }
            reply(out, "220 mx1.demo.example ESMTP");
            converse(in, out, who);
        } catch (IOException | UncheckedIOException e) {
            // a client gone mid-session: its connection is in the log, which is all mxguard reads
        }
        log.log("smtpd", "disconnect from " + who);
    }

    private void converse(BufferedReader in, OutputStream out, String who) throws IOException {
        String sender = null;
        int recipients = 0;
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            String verb = line.length() < 4 ? line.toUpperCase(Locale.ROOT) : line.substring(0, 4).toUpperCase(Locale.ROOT);
            switch (verb) {
                case "EHLO", "HELO" -> reply(out, "250 mx1.demo.example");
                case "MAIL" -> {
                    sender = between(line, '<', '>');
                    recipients = 0;
                    reply(out, "250 2.1.0 Ok");
                }
                case "RCPT" -> {
                    recipients++;
                    reply(out, "250 2.1.5 Ok");
                }
                case "DATA" -> {
                    if (sender == null || recipients == 0) {
                        reply(out, "503 5.5.1 Error: need RCPT command");
                        continue;
                    }
                    reply(out, "354 End data with <CR><LF>.<CR><LF>");
                    String id = HexFormat.of().withUpperCase().toHexDigits(ids.incrementAndGet()).substring(6);
                    String messageId = body(in);
                    log.log("smtpd", id + ": client=" + who);
                    if (messageId != null) {
                        received.add(messageId);
                        log.log("cleanup", id + ": message-id=" + messageId);
                    }
                    log.log("qmgr", id + ": from=<" + sender + ">, nrcpt=" + recipients + " (queue active)");
                    reply(out, "250 2.0.0 Ok: queued as " + id);
                    sender = null;
                }
                case "RSET", "NOOP" -> reply(out, "250 2.0.0 Ok");
                case "QUIT" -> {
                    reply(out, "221 2.0.0 Bye");
                    return;
                }
                default -> reply(out, "502 5.5.2 Error: command not recognized");
            }
        }
    }

    /** Reads the message to the lone dot; returns its Message-ID header, or null. */
    private static String body(BufferedReader in) throws IOException {
        String messageId = null;
        boolean header = true;
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.equals(".")) {
                return messageId;
            }
            if (line.isEmpty()) {
                header = false;
            } else if (header && line.regionMatches(true, 0, "Message-ID:", 0, 11)) {
                messageId = line.substring(11).strip();
            }
        }
        throw new IOException("the connection closed inside DATA");
    }

    private static String between(String line, char open, char close) {
        int from = line.indexOf(open);
        int to = line.lastIndexOf(close);
        return from >= 0 && to > from ? line.substring(from + 1, to) : "";
    }

    private static void reply(OutputStream out, String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** The Message-IDs received, for a summary. */
    public List<String> receivedIds() {
        return List.copyOf(received);
    }

    @Override
    public void close() throws IOException {
        socket.close();
        sessions.shutdownNow();
    }
}
