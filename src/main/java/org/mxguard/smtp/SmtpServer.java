package org.mxguard.smtp;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLContext;
import org.mxguard.dns.ClientNameLookup;
import org.mxguard.policy.PolicyEngine;
import org.mxguard.spool.Spool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inbound SMTP server of the backup MX: listens on the configured addresses and runs one
 * {@link SmtpSession} per connection on a virtual thread, with blocking I/O.
 *
 * <pre>
 * SmtpServer server = new SmtpServer(settings, spool, policy, names, List.of(logWriter), clock);
 * server.start();
 * ...
 * server.close();
 * </pre>
 */
public final class SmtpServer implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpServer.class);

    private final SmtpSettings settings;
    private final SessionServices services;
    private final ConnectionLimits limits;
    private final List<ServerSocket> listeners = new ArrayList<>();
    private final Set<SmtpSession> sessions = ConcurrentHashMap.newKeySet();
    private final AtomicLong sessionNumbers = new AtomicLong();
    private volatile EtrnHandler etrnHandler;
    private volatile RecipientCheck recipientCheck = RecipientCheck.ACCEPT_ALL;
    private volatile boolean closed;

    /**
     * Builds a server; nothing is bound until {@link #start()}.
     *
     * @throws IllegalArgumentException when the settings are unusable (a protected domain that is no
     *     domain, unreadable TLS files), naming the setting
     */
    public SmtpServer(SmtpSettings settings, Spool spool, PolicyEngine policy, ClientNameLookup names,
            List<SessionListener> sessionListeners, Clock clock) {
        this.settings = settings;
        SSLContext tls = settings.tlsEnabled() ? PemTlsContext.load(settings.tlsCertificate(), settings.tlsKey()) : null;
        this.limits = new ConnectionLimits(settings.maxConnections(), settings.maxConnectionsPerClient(),
                settings.connectionLimitExemptions());
        this.services = new SessionServices(settings, spool, policy, new RelayControl(settings), names,
                List.copyOf(sessionListeners), clock, tls, () -> etrnHandler, limits, () -> recipientCheck);
    }

    /**
     * Offers ETRN (RFC 1985) for the protected domains, running this queue; null takes it out
     * again (ETRN is then answered 502). Takes effect for the next command.
     */
    public void setEtrnQueue(EtrnQueue queue) {
        this.etrnHandler = queue == null ? null
                : new FastFlush(ProtectedDomains.of(settings.protectedDomains()), queue);
    }

    /** Plugs in recipient validation; null accepts every recipient again. Takes effect for the next RCPT. */
    public void setRecipientCheck(RecipientCheck check) {
        this.recipientCheck = check == null ? RecipientCheck.ACCEPT_ALL : check;
    }

    /** Binds every listen address and starts accepting. */
    public synchronized void start() throws IOException {
        if (!listeners.isEmpty()) {
            throw new IllegalStateException("already started");
        }
        try {
            for (InetSocketAddress address : settings.listen()) {
                ServerSocket server = new ServerSocket();
                server.setReuseAddress(true);
                server.bind(address, 100);
                listeners.add(server);
            }
        } catch (IOException e) {
            close();
            throw new IOException("cannot listen on " + settings.listen() + ": " + e.getMessage(), e);
        }
        for (ServerSocket server : listeners) {
            Thread.ofVirtual().name("smtp-listener-" + server.getLocalPort()).start(() -> acceptLoop(server));
        }
    }

    /** The port of the first listen address, once started (the free port chosen for port 0). */
    public int port() {
        return listeners.getFirst().getLocalPort();
    }

    /** Where the server listens, once started. */
    public List<InetSocketAddress> boundAddresses() {
        return listeners.stream().map(s -> (InetSocketAddress) s.getLocalSocketAddress()).toList();
    }

    private void acceptLoop(ServerSocket server) {
        while (!closed) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                if (closed || server.isClosed()) {
                    return;
                }
                // Out of file descriptors and the like: pause instead of spinning on the error.
                LOG.warn("accept on {} failed: {}", server.getLocalSocketAddress(), e.toString());
                LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
                continue;
            }
            try {
                // Replies are written whole (a pipelined batch in one write): Nagle's algorithm would
                // only hold a reply behind the client's delayed ACK.
                socket.setTcpNoDelay(true);
            } catch (IOException e) {
                LOG.debug("TCP_NODELAY not set: {}", e.toString());
            }
            InetAddress client = socket.getInetAddress();
            String refusedBecause = limits.tryAcquire(client);
            SmtpSession session = new SmtpSession(services, socket,
                    refusedBecause == null ? null
                            : Replies.tooManyConnections(settings.hostname(), client.getHostAddress()),
                    refusedBecause, () -> {
                        if (refusedBecause == null) {
                            limits.release(client);
                        }
                    });
            sessions.add(session);
            Thread.ofVirtual().name("smtp-session-" + sessionNumbers.incrementAndGet()).start(() -> {
                try {
                    session.run();
                } finally {
                    sessions.remove(session);
                }
            });
        }
    }

    /** Stops listening and closes every open session; messages not yet committed are not queued. */
    @Override
    public synchronized void close() {
        closed = true;
        for (ServerSocket server : listeners) {
            try {
                server.close();
            } catch (IOException ignored) {
                // Closing is all we wanted.
            }
        }
        for (SmtpSession session : sessions) {
            session.abort();
        }
    }
}
