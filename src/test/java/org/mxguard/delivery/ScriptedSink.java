package org.mxguard.delivery;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * An SMTP server written for tests: it answers as told (per recipient, per stage), can hang or
 * hang up at a stage, and records every transaction it accepted. Listens on a loopback address and
 * port 0 (or a given port).
 */
final class ScriptedSink implements AutoCloseable {

    /** What the sink received in one accepted transaction. */
    record Received(String mailFrom, List<String> recipients, String content, Map<String, String> xforward,
            String helo, boolean tls) {
    }

    volatile String banner = "220 sink.test ESMTP scripted";
    /** The name in the first line of the EHLO and HELO replies. */
    volatile String name = "sink.test";
    volatile boolean ehlo = true;
    volatile List<String> extensions = List.of("PIPELINING", "SIZE 10240000", "8BITMIME",
            "XFORWARD NAME ADDR PORT PROTO HELO");
    volatile String mailReply = "250 2.1.0 Ok";
    volatile Function<String, String> rcptReply = rcpt -> "250 2.1.5 Ok";
    volatile String dataReply = "354 End data with <CR><LF>.<CR><LF>";
    volatile String endReply = "250 2.0.0 Ok: queued as SINK";
    /** "GREETING", "MAIL", "RCPT", "DATA" or "END": stop answering there, keep the connection open. */
    volatile String hangAt;
    /** The same stages: close the connection instead of answering. */
    volatile String dropAt;
    /** With a context, STARTTLS works (list it in {@link #extensions}); without, it is refused with 454. */
    volatile SSLContext tls;
    /** Hang up right after answering RSET, as a server whose idle timer fired. */
    volatile boolean closeAfterRset;
    /** A tarpit: every reply is written one octet at a time, this long apart; null writes at once. */
    volatile java.time.Duration byteDelay;
    /** Answer STARTTLS with 220, then hang up instead of a handshake. */
    volatile boolean brokenTls;

    final List<Received> received = Collections.synchronizedList(new ArrayList<>());
    final List<String> commands = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger connections = new AtomicInteger();
    /** Sessions open right now, and the most there ever were at once. */
    final AtomicInteger active = new AtomicInteger();
    final AtomicInteger maxActive = new AtomicInteger();
    /** Releases the reply to the final dot; null answers at once. Lets a test keep sessions open. */
    volatile java.util.concurrent.Semaphore endGate;
    /** Released once each time a session reaches the end gate. */
    final java.util.concurrent.Semaphore endArrived = new java.util.concurrent.Semaphore(0);

    private final ServerSocket server;
    private final Thread acceptor;
    private final List<Socket> open = Collections.synchronizedList(new ArrayList<>());

    ScriptedSink() throws IOException {
        this(InetAddress.getLoopbackAddress(), 0);
    }

    ScriptedSink(InetAddress address, int port) throws IOException {
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(address, port));
        acceptor = Thread.ofVirtual().name("sink-accept").start(this::accept);
    }

    int port() {
        return server.getLocalPort();
    }

    InetAddress address() {
        return server.getInetAddress();
    }

    String route() {
        return "[" + address().getHostAddress() + "]:" + port();
    }

    private void accept() {
        try {
            while (true) {
                Socket socket = server.accept();
                open.add(socket);
                connections.incrementAndGet();
                Thread.ofVirtual().name("sink-session").start(() -> session(socket));
            }
        } catch (IOException closed) {
            // The test closed the sink.
            return;
        }
    }

    private void session(Socket plain) {
        maxActive.accumulateAndGet(active.incrementAndGet(), Math::max);
        try {
            converse(plain);
        } finally {
            active.decrementAndGet();
        }
    }

    private void converse(Socket plain) {
        Socket socket = plain;
        boolean secure = false;
        try (plain) {
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = socket.getOutputStream();
            if (stop("GREETING", socket)) {
                return;
            }
            reply(out, banner);
            if (!banner.startsWith("220")) {
                return;
            }
            String mailFrom = null;
            String helo = null;
            List<String> rcpts = new ArrayList<>();
            Map<String, String> xforward = new LinkedHashMap<>();
            String line;
            while ((line = in.readLine()) != null) {
                commands.add(line);
                String verb = line.split(" ", 2)[0].toUpperCase(Locale.ROOT);
                switch (verb) {
                    case "EHLO" -> {
                        if (!ehlo) {
                            reply(out, "502 5.5.2 Error: command not recognized");
                        } else {
                            helo = line.substring(5);
                            List<String> lines = new ArrayList<>();
                            lines.add(name);
                            lines.addAll(extensions);
                            multiline(out, 250, lines);
                        }
                    }
                    case "HELO" -> {
                        helo = line.substring(5);
                        reply(out, "250 " + name);
                    }
                    case "XFORWARD" -> {
                        for (String attribute : line.substring(9).split(" ")) {
                            int eq = attribute.indexOf('=');
                            xforward.put(attribute.substring(0, eq), attribute.substring(eq + 1));
                        }
                        reply(out, "250 2.0.0 Ok");
                    }
                    case "MAIL" -> {
                        if (stop("MAIL", socket)) {
                            return;
                        }
                        mailFrom = line.substring(10);
                        rcpts.clear();
                        reply(out, mailReply);
                    }
                    case "RCPT" -> {
                        if (stop("RCPT", socket)) {
                            return;
                        }
                        String rcpt = line.substring(8).replaceAll("[<>]", "");
                        String answer = rcptReply.apply(rcpt);
                        if (answer.startsWith("2")) {
                            rcpts.add(rcpt);
                        }
                        reply(out, answer);
                    }
                    case "DATA" -> {
                        if (stop("DATA", socket)) {
                            return;
                        }
                        if (rcpts.isEmpty() || mailFrom == null) {
                            reply(out, "554 5.5.1 Error: no valid recipients");
                            continue;
                        }
                        reply(out, dataReply);
                        if (!dataReply.startsWith("354")) {
                            continue;
                        }
                        StringBuilder content = new StringBuilder();
                        String data;
                        while ((data = in.readLine()) != null && !data.equals(".")) {
                            // RFC 5321 §4.5.2: remove the stuffed dot.
                            content.append(data.startsWith(".") ? data.substring(1) : data).append("\r\n");
                        }
                        if (stop("END", socket)) {
                            return;
                        }
                        java.util.concurrent.Semaphore gate = endGate;
                        if (gate != null) {
                            endArrived.release();
                            gate.acquireUninterruptibly();
                        }
                        reply(out, endReply);
                        if (endReply.startsWith("2")) {
                            received.add(new Received(mailFrom, List.copyOf(rcpts), content.toString(),
                                    Map.copyOf(xforward), helo, secure));
                        }
                    }
                    case "RSET" -> {
                        reply(out, "250 2.0.0 Ok");
                        if (closeAfterRset) {
                            return;
                        }
                    }
                    case "STARTTLS" -> {
                        SSLContext context = tls;
                        if (brokenTls) {
                            reply(out, "220 2.0.0 Ready to start TLS");
                            return;
                        }
                        if (context == null || secure) {
                            reply(out, "454 4.7.0 TLS not available");
                            continue;
                        }
                        reply(out, "220 2.0.0 Ready to start TLS");
                        SSLSocket upgraded = (SSLSocket) context.getSocketFactory().createSocket(socket,
                                socket.getInetAddress().getHostAddress(), socket.getPort(), true);
                        upgraded.setUseClientMode(false);
                        upgraded.startHandshake();
                        open.add(upgraded);
                        socket = upgraded;
                        secure = true;
                        // RFC 3207 §4.2: the client starts over with EHLO; nothing from before TLS is kept.
                        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                        out = socket.getOutputStream();
                        xforward.clear();
                        mailFrom = null;
                        helo = null;
                    }
                    case "QUIT" -> {
                        reply(out, "221 2.0.0 Bye");
                        return;
                    }
                    default -> reply(out, "502 5.5.2 Error: command not recognized");
                }
            }
        } catch (IOException ignored) {
            // The client hung up or the test closed the sink.
        } finally {
            // Only the sessions still open are kept for close(): thousands of finished ones would
            // stay reachable and weigh in a test's heap figures as if the relay held them.
            open.remove(plain);
            open.remove(socket);
        }
    }

    /** True when the session must end here: hang (wait until the test closes the sink) or drop. */
    private boolean stop(String stage, Socket socket) throws IOException {
        if (stage.equals(dropAt)) {
            socket.close();
            return true;
        }
        if (stage.equals(hangAt)) {
            // Block until the client gives up and closes, or the sink is closed.
            while (socket.getInputStream().read() >= 0) {
                // Discard whatever the client sends meanwhile.
            }
            return true;
        }
        return false;
    }

    private void reply(OutputStream out, String text) throws IOException {
        send(out, (text + "\r\n").getBytes(StandardCharsets.UTF_8));
    }

    private void send(OutputStream out, byte[] bytes) throws IOException {
        java.time.Duration delay = byteDelay;
        if (delay == null) {
            out.write(bytes);
            out.flush();
            return;
        }
        for (byte b : bytes) {
            try {
                // The tarpit's pace itself, not a wait for a condition.
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("tarpit interrupted", e);
            }
            out.write(b);
            out.flush();
        }
    }

    private void multiline(OutputStream out, int code, List<String> lines) throws IOException {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            s.append(code).append(i + 1 < lines.size() ? "-" : " ").append(lines.get(i)).append("\r\n");
        }
        send(out, s.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws IOException, InterruptedException {
        server.close();
        synchronized (open) {
            for (Socket s : open) {
                s.close();
            }
        }
        acceptor.join();
    }
}
