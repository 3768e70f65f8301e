package org.mxguard.control;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running server's control socket: a Unix domain socket that only its owner may open (mode
 * 0600, as Postfix's public/ and private/ sockets rely on file permissions), through which the
 * {@code mxguard queue} and {@code mxguard policy reload} commands reach a running server.
 *
 * <p>The socket is bound inside a fresh directory only the owner can enter, set to mode 0600 there
 * and then renamed into place, so it is never reachable with the mode the umask gave it.
 *
 * <p>Protocol: the client sends one line, words separated by spaces; the server answers with
 * {@code ok} or {@code error MESSAGE}, then any number of body lines, then a line holding a single
 * dot. Body lines that start with a dot are dot-stuffed, as in SMTP. The request line must arrive
 * within {@link #REQUEST_TIMEOUT} (10 s) and be at most {@link #MAX_REQUEST} octets, so a stuck or hostile
 * client holds nothing.
 */
public final class ControlServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);

    /** The longest request line in octets, line feed included. */
    static final int MAX_REQUEST = 4096;
    /** How long a client may take to send its request line. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final Duration requestTimeout;

    private final Path socket;
    private final Map<String, ControlCommand> commands = new ConcurrentHashMap<>();
    private ServerSocketChannel channel;
    private Thread acceptor;

    public ControlServer(Path socket) {
        this(socket, REQUEST_TIMEOUT);
    }

    ControlServer(Path socket, Duration requestTimeout) {
        this.socket = socket;
        this.requestTimeout = requestTimeout;
    }

    /** Registers the handler of one verb ("queue-list", "flush", ...). */
    public void register(String verb, ControlCommand command) {
        commands.put(verb, command);
    }

    public void start() throws IOException {
        Path parent = socket.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Files.deleteIfExists(socket);
        // Bound where only we can reach it, made owner-only, then moved into place: a socket bound
        // at its final path would be open to others (per the umask) until the chmod.
        Path staging = Files.createTempDirectory(parent, ".control-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path staged = staging.resolve("s");
        try {
            channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            channel.bind(UnixDomainSocketAddress.of(staged));
            Files.setPosixFilePermissions(staged, PosixFilePermissions.fromString("rw-------"));
            Files.move(staged, socket, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (channel != null) {
                channel.close();
            }
            Files.deleteIfExists(staged);
            throw e;
        } finally {
            Files.deleteIfExists(staging);
        }
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
        CountDownLatch requestRead = new CountDownLatch(1);
        // A blocking channel read has no timeout of its own: whoever has not sent a request in time is cut off.
        Thread.ofVirtual().name("control-timeout").start(() -> {
            try {
                if (!requestRead.await(requestTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.warn("control client sent no request within {}", requestTimeout);
                    client.close();
                }
            } catch (InterruptedException | IOException ignored) {
                // closing is all this was for
            }
        });
        try (client; InputStream in = Channels.newInputStream(client);
             OutputStream out = Channels.newOutputStream(client)) {
            Request request = requestLine(in);
            requestRead.countDown();
            if (request == null) {
                return;
            }
            ControlResponse response = request.tooLong()
                    ? ControlResponse.error("request line longer than " + MAX_REQUEST + " octets")
                    : respond(request.text());
            out.write(response.render().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            LOG.debug("control session ended: {}", e.getMessage());
        } finally {
            requestRead.countDown();
        }
    }

    private ControlResponse respond(String line) {
        List<String> words = new ArrayList<>(List.of(line.strip().split("\\s+")));
        String verb = words.removeFirst();
        ControlCommand command = commands.get(verb);
        if (command == null) {
            return ControlResponse.error("unknown control command: " + verb);
        }
        try {
            return command.run(words);
        } catch (IllegalArgumentException e) {
            return ControlResponse.error(e.getMessage());
        } catch (IOException | RuntimeException e) {
            LOG.error("control command '{}' failed", verb, e);
            return ControlResponse.error(verb + " failed: " + e);
        }
    }

    /** A request line without its line end, or the fact that it was too long (not read further). */
    private record Request(String text, boolean tooLong) {
    }

    /** The request line; null if the client sent nothing. */
    private static Request requestLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                return line.size() == 0 ? null : new Request(line.toString(StandardCharsets.UTF_8), false);
            }
            if (b == '\n') {
                return new Request(line.toString(StandardCharsets.UTF_8), false);
            }
            if (line.size() >= MAX_REQUEST - 1) {
                return new Request(null, true);
            }
            line.write(b);
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
