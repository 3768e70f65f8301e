package org.mxguard.smtp;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import org.mxguard.mail.Reply;

/**
 * The socket of one session, plain or TLS: reads through {@link SmtpInput}, writes replies
 * buffered (RFC 2920 §3.1 lets a pipelined group's replies go out together) and owns closing.
 */
final class SmtpConnection {

    private final Socket plainSocket;
    private Socket socket;
    private SmtpInput in;
    private OutputStream out;

    SmtpConnection(Socket socket) throws IOException {
        this.plainSocket = socket;
        this.socket = socket;
        this.in = new SmtpInput(socket.getInputStream(), socket::setSoTimeout);
        this.out = new BufferedOutputStream(socket.getOutputStream());
    }

    SmtpInput input() {
        return in;
    }

    InetSocketAddress remote() {
        return (InetSocketAddress) plainSocket.getRemoteSocketAddress();
    }

    void send(Reply reply) throws IOException {
        out.write(reply.render().getBytes(StandardCharsets.UTF_8));
    }

    void flush() throws IOException {
        out.flush();
    }

    /**
     * Flushes unless the client already sent more: replies to a pipelined group then go out
     * together (RFC 2920 §3.2). Only what is already read counts: a pipelined group arrives in one
     * segment in practice, and asking the kernel (FIONREAD) before every command cost a system call
     * per command; the worst a miss does is send one group's replies in two segments.
     */
    void flushUnlessPipelined() throws IOException {
        if (!in.hasBuffered()) {
            out.flush();
        }
    }

    /** Sets how long a read may block before it fails with {@link SocketTimeoutException}. */
    void readTimeout(Duration timeout) throws IOException {
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis())));
    }

    /**
     * True if the client sends something within {@code wait} (zero: has already sent something).
     *
     * @throws java.io.EOFException if it closes the connection instead
     */
    boolean talksWithin(Duration wait) throws IOException {
        if (in.hasPending() || wait.isZero()) {
            return in.hasPending();
        }
        readTimeout(wait);
        try {
            if (!in.awaitInput()) {
                throw new java.io.EOFException("closed before the greeting");
            }
            return true;
        } catch (SocketTimeoutException expected) {
            return false;
        }
    }

    /**
     * Runs the server side of the TLS handshake after "220 Ready to start TLS" was flushed. What the
     * client sent in plaintext after STARTTLS is dropped first (CVE-2011-0411).
     */
    SSLSession startTls(SSLContext context) throws IOException {
        in.discardBuffered();
        InetSocketAddress remote = remote();
        SSLSocket tls = (SSLSocket) context.getSocketFactory()
                .createSocket(plainSocket, remote.getHostString(), remote.getPort(), true);
        tls.setUseClientMode(false);
        tls.startHandshake();
        socket = tls;
        in = new SmtpInput(tls.getInputStream(), tls::setSoTimeout);
        out = new BufferedOutputStream(tls.getOutputStream());
        return tls.getSession();
    }

    /** Sends a last reply if the client still listens; for the 421 after a timeout. */
    void sendQuietly(Reply reply) {
        try {
            send(reply);
            out.flush();
        } catch (IOException ignored) {
            // The client is gone; the reason is logged already.
        }
    }

    void close() {
        try {
            out.flush();
        } catch (IOException ignored) {
            // Nothing more can reach the client.
        }
        try {
            if (socket != plainSocket) {
                // Sends close_notify without waiting for the client's, which SSLSocket.close() may do.
                socket.shutdownOutput();
            }
        } catch (IOException | UnsupportedOperationException ignored) {
            // The plain socket is closed below either way.
        }
        closeAbruptly(plainSocket);
    }

    /** Closes the socket from another thread (server shutdown); the session's blocked read then fails. */
    static void closeAbruptly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing a broken socket can fail; it is closed either way.
        }
    }
}
