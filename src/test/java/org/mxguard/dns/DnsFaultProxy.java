package org.mxguard.dns;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;

/**
 * A DNS server on 127.0.0.1 (UDP and TCP, one port) in front of a real one (dnsmasq), that passes
 * queries through or breaks them on demand, the faults a real server cannot make: SERVFAIL, no
 * answer at all, a truncated UDP answer (TC set, nothing in it) that only TCP can complete, with or
 * without TCP, and a CNAME loop (which dnsmasq refuses to load). Public so delivery tests use it.
 */
public final class DnsFaultProxy implements AutoCloseable {

    /** What the proxy does to the queries it is sent now. */
    public enum Fault {
        /** Passed through to the real server. */
        NONE,
        /** RCODE 2 at once, over UDP and TCP. */
        SERVFAIL,
        /** Never answered (a dead server or a lost packet): the client times out. */
        SILENT,
        /** UDP answers are truncated and empty; TCP passes through (RFC 7766 §5: retry over TCP). */
        TRUNCATE,
        /** UDP answers are truncated and TCP connections are cut at once. */
        TRUNCATE_NO_TCP
    }

    private final InetSocketAddress upstream;
    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private final Map<Name, Name> aliases = new ConcurrentHashMap<>();
    private final AtomicInteger udpQueries = new AtomicInteger();
    private final AtomicInteger tcpQueries = new AtomicInteger();
    private volatile Fault fault = Fault.NONE;

    private DnsFaultProxy(InetSocketAddress upstream, DatagramSocket udp, ServerSocket tcp) {
        this.upstream = upstream;
        this.udp = udp;
        this.tcp = tcp;
        Thread.ofVirtual().name("dns-proxy-udp").start(this::serveUdp);
        Thread.ofVirtual().name("dns-proxy-tcp").start(this::serveTcp);
    }

    /** A proxy on a free loopback port in front of {@code upstream}. */
    public static DnsFaultProxy inFrontOf(InetSocketAddress upstream) throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        while (true) {
            ServerSocket tcp = new ServerSocket(0, 50, loopback);
            try {
                return new DnsFaultProxy(upstream, new DatagramSocket(tcp.getLocalPort(), loopback), tcp);
            } catch (IOException taken) {
                tcp.close();
            }
        }
    }

    public void fault(Fault now) {
        fault = now;
    }

    /** Answers {@code a} with a CNAME to {@code b} and {@code b} with one to {@code a}, whatever the type asked. */
    public void cnameLoop(String a, String b) throws IOException {
        Name first = Name.fromString(a.endsWith(".") ? a : a + ".");
        Name second = Name.fromString(b.endsWith(".") ? b : b + ".");
        aliases.put(first, second);
        aliases.put(second, first);
    }

    public int udpQueries() {
        return udpQueries.get();
    }

    public int tcpQueries() {
        return tcpQueries.get();
    }

    public DnsSettings settings(Duration timeout) {
        return DnsSettings.server(new InetSocketAddress(InetAddress.getLoopbackAddress(), udp.getLocalPort()), timeout);
    }

    private void serveUdp() {
        while (!udp.isClosed()) {
            byte[] buffer = new byte[65535];
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                udp.receive(packet);
            } catch (IOException closed) {
                return;
            }
            udpQueries.incrementAndGet();
            byte[] query = Arrays.copyOf(packet.getData(), packet.getLength());
            SocketAddress client = packet.getSocketAddress();
            Thread.ofVirtual().start(() -> answerUdp(query, client));
        }
    }

    private void answerUdp(byte[] query, SocketAddress client) {
        try {
            byte[] reply = switch (fault) {
                case SILENT -> null;
                case SERVFAIL -> synthetic(query, Rcode.SERVFAIL, false);
                case TRUNCATE, TRUNCATE_NO_TCP -> synthetic(query, Rcode.NOERROR, true);
                case NONE -> alias(query).orElse(forwardUdp(query));
            };
            if (reply != null) {
                udp.send(new DatagramPacket(reply, reply.length, client));
            }
        } catch (IOException e) {
            // The upstream did not answer, or the proxy is closing: the client times out, as with a lost packet.
            return;
        }
    }

    private void serveTcp() {
        while (!tcp.isClosed()) {
            Socket socket;
            try {
                socket = tcp.accept();
            } catch (IOException closed) {
                return;
            }
            Thread.ofVirtual().start(() -> answerTcp(socket));
        }
    }

    private void answerTcp(Socket socket) {
        try (socket) {
            socket.setSoTimeout(5000);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            while (true) {
                // RFC 1035 §4.2.2: each message over TCP is preceded by its length in two octets.
                byte[] query = new byte[in.readUnsignedShort()];
                in.readFully(query);
                tcpQueries.incrementAndGet();
                byte[] reply = switch (fault) {
                    case SILENT, TRUNCATE_NO_TCP -> null;
                    case SERVFAIL -> synthetic(query, Rcode.SERVFAIL, false);
                    case NONE, TRUNCATE -> alias(query).orElse(forwardTcp(query));
                };
                if (reply == null) {
                    return;
                }
                out.writeShort(reply.length);
                out.write(reply);
                out.flush();
            }
        } catch (IOException e) {
            // The client closed its connection, or the proxy is closing.
            return;
        }
    }

    private java.util.Optional<byte[]> alias(byte[] query) throws IOException {
        Message message = new Message(query);
        Name asked = message.getQuestion().getName();
        Name target = aliases.get(asked);
        if (target == null) {
            return java.util.Optional.empty();
        }
        Message reply = new Message(message.getHeader().getID());
        reply.getHeader().setFlag(Flags.QR);
        reply.getHeader().setFlag(Flags.AA);
        reply.getHeader().setFlag(Flags.RA);
        if (message.getHeader().getFlag(Flags.RD)) {
            reply.getHeader().setFlag(Flags.RD);
        }
        reply.addRecord(message.getQuestion(), Section.QUESTION);
        reply.addRecord(new CNAMERecord(asked, DClass.IN, 60, target), Section.ANSWER);
        return java.util.Optional.of(reply.toWire());
    }

    private static byte[] synthetic(byte[] query, int rcode, boolean truncated) throws IOException {
        Message message = new Message(query);
        Message reply = new Message(message.getHeader().getID());
        reply.getHeader().setFlag(Flags.QR);
        reply.getHeader().setFlag(Flags.RA);
        if (message.getHeader().getFlag(Flags.RD)) {
            reply.getHeader().setFlag(Flags.RD);
        }
        if (truncated) {
            reply.getHeader().setFlag(Flags.TC);
        }
        reply.getHeader().setRcode(rcode);
        reply.addRecord(message.getQuestion(), Section.QUESTION);
        return reply.toWire();
    }

    private byte[] forwardUdp(byte[] query) throws IOException {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            socket.setSoTimeout(3000);
            socket.send(new DatagramPacket(query, query.length, upstream));
            byte[] buffer = new byte[65535];
            DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
            socket.receive(reply);
            return Arrays.copyOf(reply.getData(), reply.getLength());
        }
    }

    private byte[] forwardTcp(byte[] query) throws IOException {
        try (Socket socket = new Socket(upstream.getAddress(), upstream.getPort())) {
            socket.setSoTimeout(3000);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeShort(query.length);
            out.write(query);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] reply = new byte[in.readUnsignedShort()];
            in.readFully(reply);
            return reply;
        }
    }

    @Override
    public void close() throws IOException {
        udp.close();
        tcp.close();
    }
}
