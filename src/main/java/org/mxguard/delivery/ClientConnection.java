package org.mxguard.delivery;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.mxguard.mail.EnhancedStatus;
import org.mxguard.mail.Reply;

/**
 * One client-side SMTP connection: reads replies with a per-read timeout and writes commands and
 * content with a per-write deadline (Java sockets have no write timeout, so a watchdog closes the
 * socket when a write stalls).
 */
final class ClientConnection implements Closeable {

    // RFC 5321 §4.5.3.1.5: reply lines are at most 512 octets; allow generous slack for real servers.
    private static final int MAX_LINE = 4096;
    private static final int MAX_LINES = 200;
    private static final Pattern STATUS = Pattern.compile("^([245])\\.(\\d{1,3})\\.(\\d{1,3})(?: |$)");
    private static final ScheduledThreadPoolExecutor WATCHDOG = watchdog();

    /**
     * The thread that closes a socket whose write stalls. A watchdog is cancelled as soon as its write
     * is done, and leaves the queue then: left there until its deadline (minutes), those of every
     * write of a busy relay would pile up, hundreds of thousands of them.
     */
    private static ScheduledThreadPoolExecutor watchdog() {
        ScheduledThreadPoolExecutor w = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().daemon().name("smtp-write-watchdog").factory());
        w.setRemoveOnCancelPolicy(true);
        return w;
    }

    /** Watchdogs waiting for their deadline: those of the writes in progress. */
    static int watchdogsWaiting() {
        return WATCHDOG.getQueue().size();
    }

    private Socket socket;
    private InputStream in;
    private OutputStream out;

    ClientConnection(Socket socket) throws IOException {
        attach(socket);
    }

    private void attach(Socket s) throws IOException {
        this.socket = s;
        this.in = new BufferedInputStream(s.getInputStream());
        this.out = new BufferedOutputStream(s.getOutputStream(), 16384);
    }

    /** Queues a command line; nothing is sent until {@link #flush}. */
    void command(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
    }

    void flush(Duration deadline) throws IOException {
        guarded(deadline, () -> out.flush());
    }

    /** The output stream for message content, written under the data-block deadline by the caller. */
    OutputStream content() {
        return out;
    }

    void guarded(Duration deadline, IoAction action) throws IOException {
        Socket s = socket;
        ScheduledFuture<?> watchdog = WATCHDOG.schedule(() -> {
            try {
                s.close();
            } catch (IOException ignored) {
                // Closing is how the stalled write is stopped; nothing else to do.
            }
        }, deadline.toMillis(), TimeUnit.MILLISECONDS);
        try {
            action.run();
        } finally {
            watchdog.cancel(false);
        }
    }

    /**
     * Reads one reply. The timeout bounds the whole reply, not each read: a tarpit that sends one
     * octet a second would otherwise hold the connection for as long as the longest reply allowed
     * (Postfix's {@code smtp_per_record_deadline}).
     */
    Reply read(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> lines = new ArrayList<>();
        int code = -1;
        while (true) {
            String line = readLine(deadline, timeout);
            if (line.length() < 3 || !Character.isDigit(line.charAt(0)) || !Character.isDigit(line.charAt(1))
                    || !Character.isDigit(line.charAt(2))
                    || (line.length() > 3 && line.charAt(3) != ' ' && line.charAt(3) != '-')) {
                throw new SmtpProtocolException("malformed SMTP reply: " + abbreviate(line));
            }
            int lineCode = Integer.parseInt(line.substring(0, 3));
            if (code >= 0 && lineCode != code) {
                throw new SmtpProtocolException("reply codes differ within one reply: " + abbreviate(line));
            }
            code = lineCode;
            lines.add(line.length() > 4 ? line.substring(4) : "");
            if (lines.size() > MAX_LINES) {
                throw new SmtpProtocolException("reply longer than " + MAX_LINES + " lines");
            }
            if (line.length() == 3 || line.charAt(3) == ' ') {
                break;
            }
        }
        if (code < 200 || code > 599) {
            throw new SmtpProtocolException("unexpected reply code " + code);
        }
        return toReply(code, lines);
    }

    static Reply toReply(int code, List<String> lines) {
        Matcher m = STATUS.matcher(lines.getFirst());
        EnhancedStatus status = null;
        if (m.find() && Integer.parseInt(m.group(1)) == code / 100) {
            status = EnhancedStatus.parse(m.group(1) + "." + m.group(2) + "." + m.group(3));
        }
        List<String> texts = new ArrayList<>();
        for (String line : lines) {
            String prefix = status == null ? null : status.toString();
            if (prefix != null && line.startsWith(prefix)) {
                texts.add(line.substring(prefix.length()).stripLeading());
            } else {
                texts.add(line);
            }
        }
        return new Reply(code, status, texts);
    }

    /** Replaces the plain socket by a TLS one on top of it and completes the handshake (RFC 3207). */
    void startTls(SSLSocketFactory factory, String hostName, boolean verifyName, Duration timeout) throws IOException {
        socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        SSLSocket tls = (SSLSocket) factory.createSocket(socket, hostName, socket.getPort(), true);
        if (verifyName) {
            SSLParameters parameters = tls.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            tls.setSSLParameters(parameters);
        }
        tls.setUseClientMode(true);
        tls.startHandshake();
        attach(tls);
    }

    private String readLine(long deadline, Duration timeout) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        while (true) {
            if (in.available() == 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new SocketTimeoutException("no complete reply within " + timeout.toSeconds() + " s");
                }
                socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
            int b = in.read();
            if (b < 0) {
                throw new java.io.EOFException("connection closed by server");
            }
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.UTF_8);
            }
            if (line.size() >= MAX_LINE) {
                throw new SmtpProtocolException("reply line longer than " + MAX_LINE + " octets");
            }
            line.write(b);
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 100 ? s.substring(0, 100) + "..." : s;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // The session is over either way.
        }
    }

    @FunctionalInterface
    interface IoAction {
        void run() throws IOException;
    }
}
