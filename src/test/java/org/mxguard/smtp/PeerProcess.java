package org.mxguard.smtp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a Debian peer program (swaks, python3, nmap, pflogsumm...) to completion with a time limit.
 * Find the program with {@link org.mxguard.peer.Peer#require}, which says what to install when it is missing.
 */
record PeerProcess(int exitCode, String output) {

    static PeerProcess run(List<String> command) throws IOException, InterruptedException {
        return run(command, null);
    }

    static PeerProcess run(List<String> command, String input) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (input != null) {
            process.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        }
        process.getOutputStream().close();
        // Read in a virtual thread so a full pipe never blocks the wait below.
        StringBuilder output = new StringBuilder();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                output.append(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // The process died; its exit code tells the test.
            }
        });
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("timed out: " + command);
        }
        reader.join();
        return new PeerProcess(process.exitValue(), output.toString());
    }
}
