package org.mxguard.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.security.cert.X509Certificate;

/**
 * A raw SMTP client for transcript tests: what it sends goes out byte for byte, and replies are read
 * whole (multi-line included), with a read timeout so a test fails instead of hanging.
 */
final class SmtpTestClient implements AutoCloseable {

    private Socket socket;
    private InputStream in;
    private OutputStream out;

    private SmtpTestClient(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(5000);
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    static SmtpTestClient connect(int port) throws IOException {
        return new SmtpTestClient(new Socket(InetAddress.getLoopbackAddress(), port));
    }

    /** Connects from another loopback address (127.0.0.0/8 is all local on Linux), to look like another client. */
    static SmtpTestClient connect(int port, String localAddress) throws IOException {
        return new SmtpTestClient(new Socket(InetAddress.getLoopbackAddress(), port,
                InetAddress.getByName(localAddress), 0));
    }

    /** Sends the text as ISO-8859-1 octets, so "\0", "\r" and 8-bit bytes go out exactly. */
    void send(String raw) throws IOException {
        out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    void sendUtf8(String raw) throws IOException {
        out.write(raw.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Reads one whole reply; the lines without CRLF, joined with "\n". */
    String reply() throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            String line = readLine();
            if (line == null) {
                throw new IOException("connection closed while reading a reply; got " + lines);
            }
            lines.add(line);
            if (line.length() < 4 || line.charAt(3) != '-') {
                return String.join("\n", lines);
            }
        }
    }

    /**
     * Reads a reply and checks that its last line starts with the expected text; an expectation of a
     * continuation line ("250-SIZE 1000") is looked for among all lines.
     */
    String expect(String prefix) throws IOException {
        String reply = reply();
        if (prefix.length() > 3 && prefix.charAt(3) == '-') {
            assertThat(reply.split("\n")).as("reply %s", reply).anyMatch(line -> line.startsWith(prefix));
        } else {
            String last = reply.substring(reply.lastIndexOf('\n') + 1);
            assertThat(last).as("reply %s", reply).startsWith(prefix);
        }
        return reply;
    }

    /**
     * Plays a transcript: a line starting with "&gt;" is an expected reply prefix, any other line is
     * sent as it stands (write "\r" at its end for CRLF). Lines sent back to back are pipelined.
     */
    void converse(String script) throws IOException {
        for (String line : script.split("(?<=\n)")) {
            if (line.startsWith(">")) {
                expect(line.substring(1).strip());
            } else {
                send(line);
            }
        }
    }

    /** True if the server closed the connection: the end of the stream comes within the read timeout. */
    boolean closedByServer() throws IOException {
        try {
            while (in.read() >= 0) {
                // skip what is left, such as a TLS alert
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** Upgrades the connection after "220 Ready to start TLS", trusting any certificate. */
    void startTls() throws IOException {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new TrustAll()}, null);
            SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(socket, "localhost",
                    socket.getPort(), true);
            tls.setUseClientMode(true);
            tls.startHandshake();
            socket = tls;
            in = tls.getInputStream();
            out = tls.getOutputStream();
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
            }
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, length, StandardCharsets.UTF_8);
            }
            line.write(b);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** Tests talk to their own self-signed server. */
    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
