package org.mxguard.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
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
    void noServerIsAClearError() {
        assertThatThrownBy(() -> ControlClient.send(dir.resolve("none.sock"), List.of("queue-list")))
                .hasMessageContaining("no running mxguard server");
    }
}
