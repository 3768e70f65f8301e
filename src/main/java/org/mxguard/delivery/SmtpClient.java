package org.mxguard.delivery;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.mxguard.mail.EnhancedStatus;

/**
 * Delivers one transaction to one address over a blocking socket, reusing an idle connection to
 * that address when one is cached. In {@link TlsMode#MAY} a failed TLS handshake is retried once in
 * plain text, as Postfix does for opportunistic TLS.
 */
public final class SmtpClient implements AutoCloseable {

    private final String heloName;
    private final SmtpTimeouts timeouts;
    private final TlsMode tls;
    private final ConnectionCache cache;
    private final TlsContexts contexts;

    SmtpClient(String heloName, SmtpTimeouts timeouts, TlsMode tls) {
        this(heloName, timeouts, tls, Duration.ZERO, TlsContexts.of(null));
    }

    public SmtpClient(String heloName, SmtpTimeouts timeouts, TlsMode tls, Duration connectionReuseTime,
            TlsContexts contexts) {
        this.heloName = heloName;
        this.timeouts = timeouts;
        this.tls = tls;
        this.cache = new ConnectionCache(connectionReuseTime);
        this.contexts = contexts;
    }

    SessionResult deliver(Target target, ClientTransaction tx) {
        if (cache.enabled()) {
            ConnectionCache.Idle idle = cache.take(target);
            if (idle != null) {
                ClientSession session = new ClientSession(idle.connection(), target, tx, heloName, timeouts, tls, contexts,
                        System.nanoTime(), idle.extensions(), true);
                SessionResult result = session.run();
                if (!(result instanceof SessionResult.HostFailed)) {
                    release(target, idle.connection(), session);
                    return result;
                }
                // Nothing was accepted on the old connection (the server may have closed it): start afresh.
                idle.connection().close();
            }
        }
        SessionResult result = deliver(target, tx, tls);
        if (tls == TlsMode.MAY && result instanceof SessionResult.HostFailed failed && failed.tlsFailed()) {
            return deliver(target, tx, TlsMode.NONE);
        }
        return result;
    }

    private SessionResult deliver(Target target, ClientTransaction tx, TlsMode mode) {
        long started = System.nanoTime();
        Socket socket = new Socket();
        try {
            // Every write is a whole command or a whole chunk of content: Nagle's algorithm would
            // hold the final "." behind the receiver's delayed ACK (40 ms a message on Linux).
            socket.setTcpNoDelay(true);
            socket.connect(target.socketAddress(), (int) timeouts.connect().toMillis());
        } catch (IOException e) {
            closeQuietly(socket);
            return new SessionResult.HostFailed(EnhancedStatus.parse("4.4.1"),
                    "connect to " + target.relay() + ": " + describe(e), false);
        }
        ClientConnection conn;
        try {
            conn = new ClientConnection(socket);
        } catch (IOException e) {
            closeQuietly(socket);
            return new SessionResult.HostFailed(EnhancedStatus.parse("4.4.2"),
                    "lost connection with " + target.host() + ": " + describe(e), false);
        }
        ClientSession session = new ClientSession(conn, target, tx, heloName, timeouts, mode, contexts, started, null,
                cache.enabled());
        SessionResult result = session.run();
        release(target, conn, session);
        return result;
    }

    private void release(Target target, ClientConnection conn, ClientSession session) {
        if (session.reusable()) {
            cache.park(target, conn, session.extensions());
        } else {
            conn.close();
        }
    }

    private static String describe(IOException e) {
        return switch (e) {
            case ConnectException c -> "Connection refused";
            case SocketTimeoutException t -> "Connection timed out";
            case NoRouteToHostException n -> "No route to host";
            default -> e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        };
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Nothing was sent on it.
        }
    }

    @Override
    public void close() {
        cache.close();
    }
}
