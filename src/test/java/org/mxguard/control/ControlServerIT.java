package org.mxguard.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class ControlServerIT {

    @TempDir
    Path dir;

    @Test
    void commandsRoundTripThroughAnOwnerOnlySocket() throws IOException {
        Path socket = dir.resolve("control.sock");
        try (ControlServer server = new ControlServer(socket)) {
            server.register("echo", args -> ControlResponse.ok(List.of(String.join("+", args), ".dotted")));
            server.register("fail", args -> {
                throw new IllegalArgumentException("no such message: " + args.getFirst());
            });
            server.start();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");

            assertThat(ControlClient.send(socket, List.of("echo", "a", "b")))
                    .isEqualTo(ControlResponse.ok(List.of("a+b", ".dotted")));
            assertThat(ControlClient.send(socket, List.of("fail", "X1")))
                    .isEqualTo(ControlResponse.error("no such message: X1"));
            assertThat(ControlClient.send(socket, List.of("nonsense")).error())
                    .isEqualTo("unknown control command: nonsense");
        }
        assertThat(socket).doesNotExist();
    }

    @Test
    void theSocketIsOwnerOnlyFromTheMomentItAppearsAndNothingIsLeftBeside() throws Exception {
        Path socket = dir.resolve("control.sock");
        try (WatchService watch = dir.getFileSystem().newWatchService();
                ControlServer server = new ControlServer(socket)) {
            dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE);
            server.start();
            WatchKey key = watch.poll(5, TimeUnit.SECONDS);
            assertThat(key).isNotNull();
            for (WatchEvent<?> event : key.pollEvents()) {
                Path created = dir.resolve((Path) event.context());
                if (created.equals(socket)) {
                    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)))
                            .isEqualTo("rw-------");
                }
            }
            try (Stream<Path> entries = Files.list(dir)) {
                assertThat(entries).containsExactly(socket);
            }
        }
    }

    @Test
    void aRequestLineOverTheLimitIsRefusedUnread() throws Exception {
        Path socket = dir.resolve("control.sock");
        try (ControlServer server = new ControlServer(socket)) {
            server.register("echo", args -> ControlResponse.ok(List.of(String.valueOf(args.size()))));
            server.start();
            assertThat(ControlClient.send(socket, List.of("echo", "a".repeat(4000))))
                    .isEqualTo(ControlResponse.ok(List.of("1")));
            assertThat(ControlClient.send(socket, List.of("echo", "a".repeat(100_000))).error())
                    .isEqualTo("request line longer than 4096 octets");
        }
    }

    @Test
    @Timeout(30)
    void aClientThatSendsNoRequestIsCutOff() throws Exception {
        Path socket = dir.resolve("control.sock");
        Duration timeout = Duration.ofMillis(500);
        try (ControlServer server = new ControlServer(socket, timeout);
                SocketChannel idle = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.start();
            idle.connect(UnixDomainSocketAddress.of(socket));
            long start = System.nanoTime();
            // blocks until the server closes the connection: -1, the end of the stream
            assertThat(idle.read(ByteBuffer.allocate(16))).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isBetween(timeout.minusMillis(100), timeout.plusSeconds(5));
            // and the server still serves the next client
            server.register("echo", args -> ControlResponse.ok(List.of()));
            assertThat(ControlClient.send(socket, List.of("echo"))).isEqualTo(ControlResponse.ok(List.of()));
        }
    }

    @Test
    void noServerIsAClearError() {
        assertThatThrownBy(() -> ControlClient.send(dir.resolve("none.sock"), List.of("queue-list")))
                .hasMessageContaining("no running mxguard server");
    }
}
