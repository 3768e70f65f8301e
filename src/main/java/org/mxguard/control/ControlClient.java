package org.mxguard.control;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Sends one command to a running server's control socket. */
public final class ControlClient {

    private ControlClient() {
    }

    /**
     * Sends the words as one command and returns the server's answer.
     *
     * @throws IOException when no server listens on the socket (the message says so plainly)
     */
    public static ControlResponse send(Path socket, List<String> words) throws IOException {
        if (!Files.exists(socket)) {
            throw new IOException("no running mxguard server: " + socket + " does not exist");
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            try {
                channel.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                throw new IOException("no running mxguard server on " + socket + ": " + e.getMessage(), e);
            }
            Channels.newOutputStream(channel).write((String.join(" ", words) + "\n").getBytes(StandardCharsets.UTF_8));
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel),
                    StandardCharsets.UTF_8));
            String status = in.readLine();
            if (status == null) {
                throw new IOException("the server closed the control connection without an answer");
            }
            List<String> lines = new ArrayList<>();
            for (String line = in.readLine(); line != null && !line.equals("."); line = in.readLine()) {
                lines.add(line.startsWith(".") ? line.substring(1) : line);
            }
            if (status.equals("ok")) {
                return ControlResponse.ok(lines);
            }
            return ControlResponse.error(status.startsWith("error ") ? status.substring(6) : status);
        }
    }
}
