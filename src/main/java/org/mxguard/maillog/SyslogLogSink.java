package org.mxguard.maillog;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Sends each line to a syslog server over UDP as an RFC 3164 message of facility mail, severity
 * info: {@code <22>Nov  3 11:35:30 mx2 postfix-mxguard/smtpd[4242]: connect from ...}. The line
 * already carries the timestamp, host and tag in that format, so only the priority is added.
 * rsyslog and syslog-ng accept it with their UDP input ({@code imudp}, {@code udp()}).
 */
public final class SyslogLogSink implements LogSink {

    /** RFC 3164 §4.1.1: PRI = facility * 8 + severity; mail is 2, informational is 6. */
    static final int MAIL_INFO = 2 * 8 + 6;
    /** RFC 3164 §4.1: a relay may truncate longer packets; Postfix lines stay far below. */
    private static final int MAX_PACKET = 2048;

    private final InetSocketAddress server;
    private final DatagramSocket socket;

    public SyslogLogSink(InetSocketAddress server) throws IOException {
        this.server = server;
        this.socket = new DatagramSocket();
    }

    @Override
    public void write(String line) {
        byte[] bytes = ("<" + MAIL_INFO + ">" + line).getBytes(StandardCharsets.UTF_8);
        try {
            socket.send(new DatagramPacket(bytes, Math.min(bytes.length, MAX_PACKET), server));
        } catch (IOException ignored) {
            // Syslog over UDP is best effort by design; mail keeps flowing without it.
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
