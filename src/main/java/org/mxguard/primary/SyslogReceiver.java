package org.mxguard.primary;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives the primary MX's syslog as rsyslog or syslog-ng forward it (RFC 3164 or RFC 5424
 * messages, over UDP per RFC 5426 or TCP per RFC 6587) and hands the {@code mail} facility's
 * messages on as log lines. Other facilities are counted and dropped. Each TCP connection is read
 * on its own virtual thread; at most {@code max-connections} at once, further ones are closed.
 */
public final class SyslogReceiver implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SyslogReceiver.class);
    /** RFC 5426 §3.2: a datagram holds one message; IPv4 UDP carries at most 65,507 octets. */
    private static final int MAX_DATAGRAM = 65_535;

    private final SyslogSettings settings;
    private final Clock clock;
    private final Consumer<String> mailLines;
    private final Semaphore slots;
    private final List<DatagramSocket> udp = new ArrayList<>();
    private final List<ServerSocket> tcp = new ArrayList<>();
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong mail = new AtomicLong();
    private final AtomicLong otherFacility = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong refusedConnections = new AtomicLong();
    private volatile boolean closed;

    public SyslogReceiver(SyslogSettings settings, Clock clock, Consumer<String> mailLines) {
        this.settings = settings;
        this.clock = clock;
        this.mailLines = mailLines;
        this.slots = new Semaphore(settings.maxConnections());
    }

    /** Binds every configured address and starts receiving; on failure closes what it bound. */
    public void start() throws IOException {
        try {
            for (InetSocketAddress address : settings.udp()) {
                DatagramSocket socket = new DatagramSocket(null);
                socket.setReuseAddress(true);
                socket.bind(address);
                udp.add(socket);
                Thread.ofVirtual().name("syslog-udp-" + socket.getLocalPort()).start(() -> receive(socket));
            }
            for (InetSocketAddress address : settings.tcp()) {
                ServerSocket server = new ServerSocket();
                server.setReuseAddress(true);
                server.bind(address, 128);
                tcp.add(server);
                Thread.ofVirtual().name("syslog-tcp-" + server.getLocalPort()).start(() -> accept(server));
            }
        } catch (IOException e) {
            close();
            throw new IOException("syslog receiver: cannot listen: " + e.getMessage(), e);
        }
        LOG.info("syslog receiver listening on udp {} tcp {}", udpAddresses(), tcpAddresses());
    }

    public List<InetSocketAddress> udpAddresses() {
        return udp.stream().map(s -> (InetSocketAddress) s.getLocalSocketAddress()).toList();
    }

    public List<InetSocketAddress> tcpAddresses() {
        return tcp.stream().map(s -> (InetSocketAddress) s.getLocalSocketAddress()).toList();
    }

    /** Mail facility messages handed on so far. */
    public long mailMessages() {
        return mail.get();
    }

    /** Messages of other facilities, dropped. */
    public long otherMessages() {
        return otherFacility.get();
    }

    /** Datagrams and frames that were no syslog message. */
    public long malformedMessages() {
        return malformed.get();
    }

    /** TCP connections closed at once because {@code max-connections} were open. */
    public long refusedConnections() {
        return refusedConnections.get();
    }

    private void receive(DatagramSocket socket) {
        byte[] buffer = new byte[MAX_DATAGRAM];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        while (!closed) {
            packet.setLength(buffer.length);
            try {
                socket.receive(packet);
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("syslog udp {}: {}", socket.getLocalSocketAddress(), e.toString());
                }
                continue;
            }
            int n = Math.min(packet.getLength(), settings.maxMessage());
            while (n > 0 && (buffer[n - 1] == '\n' || buffer[n - 1] == '\r' || buffer[n - 1] == 0)) {
                n--;
            }
            message(new String(buffer, 0, n, StandardCharsets.UTF_8), packet.getAddress().getHostAddress());
        }
    }

    private void accept(ServerSocket server) {
        while (!closed) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("syslog tcp {}: {}", server.getLocalSocketAddress(), e.toString());
                    pause();
                }
                continue;
            }
            if (!slots.tryAcquire()) {
                if (refusedConnections.getAndIncrement() % 1000 == 0) {
                    LOG.warn("syslog tcp: {} connections open (primary.syslog.max-connections): closing the one "
                            + "from {}", settings.maxConnections(), socket.getRemoteSocketAddress());
                }
                closeQuietly(socket);
                continue;
            }
            connections.add(socket);
            Thread.ofVirtual().name("syslog-tcp-" + socket.getPort()).start(() -> {
                try {
                    read(socket);
                } finally {
                    connections.remove(socket);
                    closeQuietly(socket);
                    slots.release();
                }
            });
        }
    }

    /** After a failed accept (out of file descriptors, say): a moment for it to pass, not a busy loop. */
    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void read(Socket socket) {
        String peer = socket.getInetAddress().getHostAddress();
        try {
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, settings.idleTimeout().toMillis()));
            SyslogFrameReader frames = new SyslogFrameReader(new BufferedInputStream(socket.getInputStream()),
                    settings.maxMessage());
            String frame;
            while ((frame = frames.next()) != null) {
                message(frame, peer);
            }
        } catch (SocketTimeoutException e) {
            LOG.info("syslog tcp: closing the connection from {}, silent for {}", peer, settings.idleTimeout());
        } catch (SocketException e) {
            if (!closed) {
                LOG.debug("syslog tcp: connection from {}: {}", peer, e.toString());
            }
        } catch (IOException e) {
            malformed.incrementAndGet();
            LOG.warn("syslog tcp: closing the connection from {}: {}", peer, e.getMessage());
        }
    }

    private void message(String text, String peer) {
        SyslogMessage message;
        try {
            message = SyslogMessage.parse(text, peer, clock.instant());
        } catch (IllegalArgumentException e) {
            if (malformed.getAndIncrement() % 1000 == 0) {
                LOG.warn("syslog: a message from {} is no syslog message ({}): {}", peer, e.getMessage(),
                        text.length() > 80 ? text.substring(0, 80) : text);
            }
            return;
        }
        if (!message.isMail()) {
            otherFacility.incrementAndGet();
            return;
        }
        mail.incrementAndGet();
        try {
            mailLines.accept(message.line());
        } catch (RuntimeException e) {
            LOG.warn("syslog: a mail line from {} could not be taken: {}", peer, e.toString());
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // Closing on the way out: nothing left to do with it.
        }
    }

    @Override
    public void close() {
        closed = true;
        udp.forEach(SyslogReceiver::closeQuietly);
        tcp.forEach(SyslogReceiver::closeQuietly);
        connections.forEach(SyslogReceiver::closeQuietly);
    }
}
