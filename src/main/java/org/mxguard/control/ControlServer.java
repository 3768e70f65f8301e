package org.mxguard.control;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running server's control socket: a Unix domain socket that only its owner may open (mode
 * 0600, as Postfix's public/ and private/ sockets rely on file permissions), through which the
 * {@code mxguard queue} and {@code mxguard policy reload} commands reach a running server.
 *
 * <p>Protocol: the client sends one line, words separated by spaces; the server answers with
 * {@code ok} or {@code error MESSAGE}, then any number of body lines, then a line holding a single
 * dot. Body lines that start with a dot are dot-stuffed, as in SMTP.
 */
public final class ControlServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);

    private final Path socket;
    private final Map<String, ControlCommand> commands = new ConcurrentHashMap<>();
    private ServerSocketChannel channel;
    private Thread acceptor;

    public ControlServer(Path socket) {
        this.socket = socket;
    }

    /** Registers the handler of one verb ("queue-list", "flush", ...). */
    public void register(String verb, ControlCommand command) {
        commands.put(verb, command);
    }

    public void start() throws IOException {
        Files.createDirectories(socket.toAbsolutePath().getParent());
        Files.deleteIfExists(socket);
        channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        channel.bind(UnixDomainSocketAddress.of(socket));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        acceptor = Thread.ofVirtual().name("control-acceptor").start(this::acceptLoop);
    }

    private void acceptLoop() {
        while (channel.isOpen()) {
            try {
                SocketChannel client = channel.accept();
                Thread.ofVirtual().name("control-session").start(() -> serve(client));
            } catch (IOException e) {
                if (channel.isOpen()) {
                    LOG.warn("control socket accept failed: {}", e.getMessage());
                }
            }
        }
    }

    private void serve(SocketChannel client) {
        try (client;
             BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(client),
                     StandardCharsets.UTF_8));
             OutputStream out = Channels.newOutputStream(client)) {
            String line = in.readLine();
            if (line == null) {
                return;
            }
            List<String> words = new ArrayList<>(List.of(line.strip().split("\\s+")));
            String verb = words.removeFirst();
            ControlCommand command = commands.get(verb);
            ControlResponse response;
            if (command == null) {
                response = ControlResponse.error("unknown control command: " + verb);
            } else {
                try {
                    response = command.run(words);
                } catch (IllegalArgumentException e) {
                    response = ControlResponse.error(e.getMessage());
                } catch (IOException | RuntimeException e) {
                    LOG.error("control command '{}' failed", line, e);
                    response = ControlResponse.error(verb + " failed: " + e);
                }
            }
            out.write(response.render().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            LOG.debug("control session ended: {}", e.getMessage());
        }
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
            Files.deleteIfExists(socket);
        }
        if (acceptor != null) {
            acceptor.interrupt();
        }
    }
}
