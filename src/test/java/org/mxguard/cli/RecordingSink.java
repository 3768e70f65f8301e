package org.mxguard.cli;

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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The primary of the crash tests: an SMTP server on a fixed loopback port that records each message
 * it accepts by its {@code Message-ID}, with the epoch it arrived in (a test starts a new epoch at
 * each kill or outage, so a duplicate within one epoch can be told from one across a crash). It can
 * be down (connections refused, open sessions cut) or refusing (greeting {@code 421}).
 */
final class RecordingSink implements AutoCloseable {

    private static final Pattern MESSAGE_ID = Pattern.compile("(?i)^Message-ID:\\s*<([^>]*)>");

    private final int port;
    private final List<Socket> open = Collections.synchronizedList(new ArrayList<>());
    /** Message-ID to the epoch of each arrival. */
    private final Map<String, List<Integer>> received = new ConcurrentHashMap<>();
    private final AtomicInteger epoch = new AtomicInteger();
    private volatile ServerSocket server;
    private volatile boolean refusing;

    /** Listening on a port of its own, chosen now. */
    RecordingSink() throws IOException {
        this(SmtpConversation.freePort());
    }

    /** Listening on {@code port}, which it keeps across {@link #stop()} and {@link #start()}. */
    RecordingSink(int port) throws IOException {
        this.port = port;
        start();
    }

    int port() {
        return port;
    }

    /** Up again after {@link #stop()}. */
    void start() throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        server = socket;
        Thread.ofVirtual().start(() -> accept(socket));
    }

    /** Down: the listener and every open session closed, so connections are refused. */
    void stop() throws IOException {
        server.close();
        synchronized (open) {
            for (Socket s : open) {
                s.close();
            }
            open.clear();
        }
    }

    /** While refusing, every new session is greeted with {@code 421} and closed (a primary too busy). */
    void refusing(boolean refuse) {
        refusing = refuse;
    }

    /** Starts a new epoch: arrivals from now on are told apart from earlier ones. */
    int nextEpoch() {
        return epoch.incrementAndGet();
    }

    /** The Message-IDs received at least once. */
    Set<String> delivered() {
        return received.keySet();
    }

    /** How many times the message with this Message-ID arrived. */
    int count(String messageId) {
        List<Integer> epochs = received.get(messageId);
        return epochs == null ? 0 : epochs.size();
    }

    /** Messages that arrived more than once. */
    long duplicates() {
        return received.values().stream().filter(e -> e.size() > 1).count();
    }

    /** Messages that arrived more than once within one epoch. */
    long duplicatesWithinAnEpoch() {
        return received.values().stream().filter(e -> {
            synchronized (e) {
                return e.stream().distinct().count() < e.size();
            }
        }).count();
    }

    private void accept(ServerSocket listener) {
        try {
            while (true) {
                Socket socket = listener.accept();
                open.add(socket);
                Thread.ofVirtual().start(() -> session(socket));
            }
        } catch (IOException closed) {
            return;
        }
    }

    private void session(Socket socket) {
        try (socket) {
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8));
            OutputStream out = socket.getOutputStream();
            if (refusing) {
                SmtpConversation.send(out, "421 4.3.2 sink.test busy");
                return;
            }
            SmtpConversation.send(out, "220 sink.test ESMTP");
            String line;
            while ((line = in.readLine()) != null) {
                String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase(Locale.ROOT) : line;
                switch (verb) {
                    case "EHLO" -> SmtpConversation.send(out, "250-sink.test\r\n250 PIPELINING");
                    case "DATA" -> {
                        SmtpConversation.send(out, "354 go ahead");
                        String messageId = null;
                        String data;
                        while ((data = in.readLine()) != null && !data.equals(".")) {
                            Matcher m = MESSAGE_ID.matcher(data);
                            if (messageId == null && m.find()) {
                                messageId = m.group(1);
                            }
                        }
                        if (data == null) {
                            // Cut before the final dot: not received (RFC 5321 §4.1.1.4).
                            return;
                        }
                        if (messageId != null) {
                            int at = epoch.get();
                            received.computeIfAbsent(messageId, k -> Collections.synchronizedList(new ArrayList<>()))
                                    .add(at);
                        }
                        SmtpConversation.send(out, "250 2.0.0 Ok: recorded");
                    }
                    case "QUIT" -> {
                        SmtpConversation.send(out, "221 2.0.0 Bye");
                        return;
                    }
                    default -> SmtpConversation.send(out, "250 2.0.0 Ok");
                }
            }
        } catch (IOException gone) {
            return;
        } finally {
            open.remove(socket);
        }
    }

    @Override
    public void close() throws IOException {
        stop();
    }
}
