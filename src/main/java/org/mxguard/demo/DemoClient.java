package org.mxguard.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One SMTP delivery attempt of a demo sender, from its own loopback address, as far as the server
 * lets it go: the reply code that ended it, 250 when the message was taken.
 */
final class DemoClient {

    private DemoClient() {
    }

    /**
     * Tries to deliver one message; returns the code of the first reply that was not a success
     * (421 at the greeting, 451 at RCPT...), or 250 when the message was queued.
     */
    static int send(InetAddress from, int port, String helo, String sender, String recipient, String messageId)
            throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(from, 0));
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            socket.setSoTimeout(30_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            int code = read(in);
            if (code != 220) {
                return code;
            }
            String[] steps = {"EHLO " + helo, "MAIL FROM:<" + sender + ">", "RCPT TO:<" + recipient + ">", "DATA"};
            for (String step : steps) {
                code = command(in, out, step);
                if (code >= 400) {
                    command(in, out, "QUIT");
                    return code;
                }
            }
            code = command(in, out, "From: <" + sender + ">\r\nTo: <" + recipient + ">\r\nMessage-ID: " + messageId
                    + "\r\nSubject: mxguard demo\r\n\r\nA message of the mxguard demo.\r\n.");
            command(in, out, "QUIT");
            return code;
        }
    }

    private static int command(BufferedReader in, OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return read(in);
    }

    /** A whole reply, continuation lines included; its code. */
    private static int read(BufferedReader in) throws IOException {
        String line = in.readLine();
        while (line != null && line.length() > 3 && line.charAt(3) == '-') {
            line = in.readLine();
        }
        if (line == null || line.length() < 3) {
            throw new IOException("the server closed the connection");
        }
        return Integer.parseInt(line.substring(0, 3));
    }
}
