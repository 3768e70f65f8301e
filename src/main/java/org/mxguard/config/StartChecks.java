package org.mxguard.config;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.mxguard.smtp.PemTlsContext;

/**
 * What {@code serve} needs from this host before it starts anything, checked key by key so that
 * {@code check-config} refuses exactly the configurations a server would refuse, and both name the
 * file and line. Nothing is created or changed: directories are checked for being creatable,
 * addresses are bound on port 0 and released (the configured port may be held by the running server
 * whose configuration is being checked).
 */
final class StartChecks {

    /** Linux {@code sockaddr_un.sun_path} holds 108 bytes including the terminating NUL (unix(7)). */
    static final int MAX_SOCKET_PATH = 107;

    private StartChecks() {
    }

    static void listen(Section s, String key, List<InetSocketAddress> addresses) {
        for (InetSocketAddress address : addresses) {
            try (ServerSocket probe = new ServerSocket(0, 1, address.getAddress())) {
                probe.getLocalPort();
            } catch (IOException e) {
                s.problem(key, address.getAddress().getHostAddress() + " is not an address of this host ("
                        + e.getMessage() + ")");
            }
        }
    }

    static void tls(Section s, Path certificate, Path key) {
        if (certificate == null) {
            return;
        }
        for (Path file : List.of(certificate, key)) {
            if (!Files.isReadable(file)) {
                s.problem(file == certificate ? "certificate" : "key", file + ": cannot read ("
                        + (Files.exists(file) ? "permission denied" : "no such file") + ")");
                return;
            }
        }
        try {
            PemTlsContext.load(certificate, key);
        } catch (IllegalArgumentException e) {
            // The message names the setting as the record does ("tlsKey FILE: why"); here the key's line does.
            String message = e.getMessage();
            boolean aboutKey = message.startsWith("tlsKey ");
            s.problem(aboutKey ? "key" : "certificate", message.substring(message.indexOf(' ') + 1));
        }
    }

    static void directory(Section s, String key, Path dir) {
        String why = uncreatableDirectory(dir);
        if (why != null) {
            s.problem(key, why);
        }
    }

    static void file(Section s, String key, Path file) {
        if (Files.exists(file)) {
            if (!Files.isRegularFile(file) || !Files.isWritable(file)) {
                s.problem(key, file + " is not a writable file");
            }
            return;
        }
        Path parent = file.toAbsolutePath().getParent();
        String why = parent == null ? null : uncreatableDirectory(parent);
        if (why != null) {
            s.problem(key, file + ": " + why);
        }
    }

    /** A socket left by a running server is fine: serve replaces it. */
    static void socket(Section s, String key, Path socket) {
        int length = socket.toString().getBytes(StandardCharsets.UTF_8).length;
        if (length > MAX_SOCKET_PATH) {
            s.problem(key, "the path is " + length + " bytes long; a Unix socket path holds at most "
                    + MAX_SOCKET_PATH + " (unix(7))");
            return;
        }
        if (Files.isDirectory(socket)) {
            s.problem(key, socket + " is a directory");
            return;
        }
        Path parent = socket.toAbsolutePath().getParent();
        String why = parent == null ? null : uncreatableDirectory(parent);
        if (why != null) {
            s.problem(key, socket + ": " + why);
        }
    }

    /** Why {@code dir} cannot be used or created as a directory, or null when it can. */
    private static String uncreatableDirectory(Path dir) {
        Path existing = dir.toAbsolutePath().normalize();
        while (!Files.exists(existing)) {
            existing = existing.getParent();
            if (existing == null) {
                return null;
            }
        }
        if (!Files.isDirectory(existing)) {
            return existing + " is not a directory";
        }
        return Files.isWritable(existing) ? null : existing + " is not writable";
    }
}
