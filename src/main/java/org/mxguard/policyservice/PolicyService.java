package org.mxguard.policyservice;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.mxguard.evidence.ContactRecorder;
import org.mxguard.policy.PolicyEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Postfix SMTPD policy delegation service for the primary MX: the primary's Postfix asks it
 * about every client ({@code check_policy_service inet:HOST:PORT}), and so tells mxguard who tried
 * the primary. One virtual thread per connection, blocking I/O.
 *
 * <pre>
 * PolicyService service = new PolicyService(settings, recorder, policy, clock);
 * service.start();
 * ...
 * service.close();
 * </pre>
 *
 * <p>The primary must keep working when this service does not: its Postfix is configured with
 * {@code default_action=DUNNO} (docs/policy-service.md), and every failure here ends in {@code DUNNO}
 * or a closed connection, which that setting turns into {@code DUNNO}.
 */
public final class PolicyService implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyService.class);

    private final PolicyServiceSettings settings;
    private final PolicyResponder responder;
    private final Semaphore slots;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong connectionNumbers = new AtomicLong();
    private final LongAdder malformed = new LongAdder();
    private final LongAdder turnedAway = new LongAdder();
    private ServerSocket listener;
    private volatile boolean closed;

    /**
     * @param recorder where every client the primary reports goes
     * @param policy asked only when {@link PolicyServiceSettings#enforceBlocks()} is set
     */
    public PolicyService(PolicyServiceSettings settings, ContactRecorder recorder, PolicyEngine policy, Clock clock) {
        this.settings = settings;
        this.responder = new PolicyResponder(settings, recorder, policy, clock);
        this.slots = new Semaphore(settings.maxConnections());
    }

    /** Binds the listen address and starts accepting. */
    public synchronized void start() throws IOException {
        if (listener != null) {
            throw new IllegalStateException("already started");
        }
        ServerSocket server = new ServerSocket();
        try {
            server.setReuseAddress(true);
            server.bind(settings.listen(), 256);
        } catch (IOException e) {
            server.close();
            throw new IOException("policy service cannot listen on " + settings.listen() + ": " + e.getMessage(), e);
        }
        listener = server;
        Thread.ofVirtual().name("policy-listener-" + server.getLocalPort()).start(this::acceptLoop);
        LOG.info("policy_service listening on {} enforce_blocks={} primary={}", address(), settings.enforceBlocks(),
                settings.primary() == null ? "(the connecting address)" : settings.primary());
    }

    /** The bound address (with the port chosen for port 0), once started. */
    public InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Requests answered since start. */
    public long requests() {
        return responder.requests.sum();
    }

    /** Clients handed to the contact recorder since start. */
    public long contacts() {
        return responder.contacts.sum();
    }

    /** Answers other than DUNNO since start (only with enforced blocks). */
    public long refusals() {
        return responder.refusals.sum();
    }

    /** Connections closed because of a malformed request. */
    public long malformedRequests() {
        return malformed.sum();
    }

    /** Connections closed at once because {@code max-connections} were open. */
    public long connectionsTurnedAway() {
        return turnedAway.sum();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                if (closed || listener.isClosed()) {
                    return;
                }
                // Out of file descriptors and the like: pause instead of spinning on the error.
                LOG.warn("policy_service accept failed: {}", e.toString());
                LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
                continue;
            }
            if (!slots.tryAcquire()) {
                turnedAway.increment();
                LOG.warn("policy_service too_many_connections limit={} from={}: connection closed",
                        settings.maxConnections(), socket.getInetAddress().getHostAddress());
                closeQuietly(socket);
                continue;
            }
            try {
                // Answers are small and awaited: Nagle's algorithm would hold each behind a delayed ACK.
                socket.setTcpNoDelay(true);
            } catch (IOException e) {
                LOG.debug("TCP_NODELAY not set: {}", e.toString());
            }
            open.add(socket);
            PolicyConnection connection = new PolicyConnection(socket, settings, responder, malformed::increment);
            Thread.ofVirtual().name("policy-connection-" + connectionNumbers.incrementAndGet()).start(() -> {
                try {
                    connection.run();
                } finally {
                    open.remove(socket);
                    slots.release();
                }
            });
        }
    }

    /** Stops listening and closes every connection; Postfix then answers with its default action. */
    @Override
    public synchronized void close() {
        closed = true;
        if (listener != null) {
            closeQuietly(listener);
        }
        for (Socket socket : open) {
            closeQuietly(socket);
        }
    }

    private static void closeQuietly(Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException ignored) {
            // Closing is all we wanted.
        }
    }
}
