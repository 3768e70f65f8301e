package org.mxguard.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A run of a Debian peer program (postfix, swaks, smtp-source...) to completion with a time limit.
 *
 * @param command what ran
 * @param exitCode its exit status
 * @param output standard output and error, merged
 */
public record PeerProgram(List<String> command, int exitCode, String output) {

    public static PeerProgram run(List<String> command, Duration limit) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        // Read in a virtual thread so a full pipe never blocks the wait below.
        StringBuilder output = new StringBuilder();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                output.append(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // The process died; its exit code tells the caller.
            }
        });
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            reader.join();
            throw new IOException("timed out after " + limit + ": " + command + "\n" + output);
        }
        reader.join();
        return new PeerProgram(List.copyOf(command), process.exitValue(), output.toString());
    }

    public static PeerProgram run(String... command) throws IOException, InterruptedException {
        return run(List.of(command), Duration.ofSeconds(60));
    }

    /** True if the program runs at all (installed, on the PATH, and exits 0 with these arguments). */
    public static boolean available(String... command) {
        try {
            return run(List.of(command), Duration.ofSeconds(30)).exitCode() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    public boolean succeeded() {
        return exitCode == 0;
    }

    @Override
    public String toString() {
        return String.join(" ", command) + " -> " + exitCode + "\n" + output;
    }
}
