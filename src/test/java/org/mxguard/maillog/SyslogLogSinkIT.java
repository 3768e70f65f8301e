package org.mxguard.maillog;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class SyslogLogSinkIT {

    @Test
    void sendsRfc3164MailInfoMessagesOverUdp() throws Exception {
        try (DatagramSocket server = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(5000);
            SyslogLogSink sink = new SyslogLogSink(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    server.getLocalPort()));
            Clock clock = Clock.fixed(Instant.parse("2026-11-03T11:35:30Z"), ZoneOffset.UTC);
            new MailLog("mx2", "postfix-mxguard", clock, sink).log("smtpd", "connect from a.example[192.0.2.1]\r\nX");
            DatagramPacket packet = new DatagramPacket(new byte[4096], 4096);
            server.receive(packet);
            String text = new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
            assertThat(text).matches("<22>Nov  3 11:35:30 mx2 postfix-mxguard/smtpd\\[\\d+\\]: "
                    + "connect from a\\.example\\[192\\.0\\.2\\.1\\]\\?\\?X");
            sink.close();
        }
    }
}
