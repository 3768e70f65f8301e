package org.mxguard.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** One SMTP session with a running server, line by line: the last line of each reply, in order. */
final class SmtpConversation {

    private SmtpConversation() {
    }

    /** Reads the greeting, then sends each line (CRLF added) and collects the last line of its reply. */
    static List<String> converse(int port, String... lines) throws IOException {
        return converseFrom("127.0.0.1", port, lines);
    }

    /** As {@link #converse}, from the local address {@code from} (another 127.x address: a client of its own). */
    static List<String> converseFrom(String from, int port, String... lines) throws IOException {
        List<String> replies = new ArrayList<>();
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 20_000);
            socket.setSoTimeout(20_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8));
            OutputStream out = socket.getOutputStream();
            readReply(in);
            for (String line : lines) {
                out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
                replies.add(readReply(in));
            }
        }
        return replies;
    }

    /** Sends one command or content line, CRLF added. */
    static void send(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** The last line of the next reply, which must start with {@code code}; an IOException otherwise. */
    static String expect(BufferedReader in, String code) throws IOException {
        String line = readReply(in);
        if (line == null) {
            throw new IOException("connection closed");
        }
        if (!line.startsWith(code)) {
            throw new IOException("expected " + code + ", got " + line);
        }
        return line;
    }

    /** A port nobody listens on now (for a server to bind, or a route that must find nobody). */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The last line of a (possibly multiline) reply, or null at the end of the stream. */
    static String readReply(BufferedReader in) throws IOException {
        String line = in.readLine();
        while (line != null && line.length() > 3 && line.charAt(3) == '-') {
            line = in.readLine();
        }
        return line;
    }
}
