package org.mxguard.dns;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * A UDP "DNS server" on a loopback port that either answers every query with SERVFAIL or never
 * answers at all: the two failures a real server is hard to make produce on demand.
 */
final class BrokenDnsServer implements AutoCloseable {

    private final DatagramSocket socket;
    private final Thread thread;

    private BrokenDnsServer(boolean answer) throws IOException {
        socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        thread = Thread.ofVirtual().name("broken-dns").start(() -> serve(answer));
    }

    static BrokenDnsServer servfail() throws IOException {
        return new BrokenDnsServer(true);
    }

    static BrokenDnsServer silent() throws IOException {
        return new BrokenDnsServer(false);
    }

    DnsSettings settings(Duration timeout) {
        return DnsSettings.server(new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort()), timeout);
    }

    private void serve(boolean answer) {
        byte[] buffer = new byte[1500];
        try {
            while (true) {
                DatagramPacket query = new DatagramPacket(buffer, buffer.length);
                socket.receive(query);
                if (!answer || query.getLength() < 12) {
                    continue;
                }
                byte[] reply = java.util.Arrays.copyOf(query.getData(), query.getLength());
                // RFC 1035 §4.1.1: QR=1, keep opcode and RD, RA=1, RCODE=2 (SERVFAIL); the question stays.
                reply[2] = (byte) (0x80 | (reply[2] & 0x79));
                reply[3] = (byte) 0x82;
                reply[6] = 0;
                reply[7] = 0;
                reply[8] = 0;
                reply[9] = 0;
                reply[10] = 0;
                reply[11] = 0;
                socket.send(new DatagramPacket(reply, reply.length, query.getSocketAddress()));
            }
        } catch (IOException closed) {
            // The test closed the socket.
            return;
        }
    }

    @Override
    public void close() throws InterruptedException {
        socket.close();
        thread.join();
    }
}
