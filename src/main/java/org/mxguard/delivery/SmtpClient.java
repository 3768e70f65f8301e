package org.mxguard.delivery;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import org.mxguard.mail.EnhancedStatus;

/**
 * Delivers one transaction to one address over a blocking socket. In {@link TlsMode#MAY} a failed
 * TLS handshake is retried once in plain text, as Postfix does for opportunistic TLS.
 */
final class SmtpClient {

    private final String heloName;
    private final SmtpTimeouts timeouts;
    private final TlsMode tls;

    SmtpClient(String heloName, SmtpTimeouts timeouts, TlsMode tls) {
        this.heloName = heloName;
        this.timeouts = timeouts;
        this.tls = tls;
    }

    SessionResult deliver(Target target, Transaction tx) {
        SessionResult result = deliver(target, tx, tls);
        if (tls == TlsMode.MAY && result instanceof SessionResult.HostFailed failed && failed.tlsFailed()) {
            return deliver(target, tx, TlsMode.NONE);
        }
        return result;
    }

    private SessionResult deliver(Target target, Transaction tx, TlsMode mode) {
        long started = System.nanoTime();
        Socket socket = new Socket();
        try {
            socket.connect(target.socketAddress(), (int) timeouts.connect().toMillis());
        } catch (IOException e) {
            closeQuietly(socket);
            return new SessionResult.HostFailed(EnhancedStatus.parse("4.4.1"),
                    "connect to " + target.relay() + ": " + describe(e), false);
        }
        try (SmtpConnection conn = new SmtpConnection(socket)) {
            return new ClientSession(conn, target, tx, heloName, timeouts, mode, started).run();
        } catch (IOException e) {
            closeQuietly(socket);
            return new SessionResult.HostFailed(EnhancedStatus.parse("4.4.2"),
                    "lost connection with " + target.host() + ": " + describe(e), false);
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
}
