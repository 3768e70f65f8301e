package org.mxguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.config.ConfigLoader;

/**
 * A message with a 5,000-octet line, the whole way: Python's smtplib sends it to the backup MX,
 * which takes it and forwards it to Postfix's smtp-sink as the primary, within 998 octets a line
 * and reading the same.
 */
@Tag("peer")
class LongLinesThroughIT {

    @TempDir
    Path dir;

    private Process sink;
    private int sinkPort;
    private Server server;

    @BeforeEach
    void start() throws Exception {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            sinkPort = probe.getLocalPort();
        }
        Path dumps = Files.createDirectories(dir.resolve("dumps"));
        List<String> command = new ArrayList<>(List.of("smtp-sink"));
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("-u", "root"));
        }
        command.addAll(List.of("-d", dumps + "/%M.", "127.0.0.1:" + sinkPort, "10"));
        sink = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("sink.log").toFile())
                .start();
        awaitListening();
        Path config = ServeConfig.in(dir).set("delivery.tls", "none").route("protected.test", sinkPort).write();
        server = new Server(ConfigLoader.load(config), Clock.systemUTC());
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        sink.destroy();
        if (!sink.waitFor(5, TimeUnit.SECONDS)) {
            sink.destroyForcibly().waitFor();
        }
    }

    @Test
    void aFiveThousandOctetLineArrivesFoldedAndReadsTheSame() throws Exception {
        String script = """
                import smtplib, sys
                words = " ".join("word%d" % i for i in range(700))
                blob = "." + "b" * 4999
                message = ("From: alice@sender.test\\r\\nTo: bob@protected.test\\r\\n"
                           "Subject: " + words[:1500] + "\\r\\n\\r\\n" + words + "\\r\\n" + blob + "\\r\\nend\\r\\n")
                s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30)
                s.sendmail("alice@sender.test", ["bob@protected.test"], message.encode("ascii"))
                s.quit()
                print(len(words), len(blob))
                """;
        Process python = new ProcessBuilder("python3", "-c", script, String.valueOf(server.smtpPort()))
                .redirectErrorStream(true).start();
        String out = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(python.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(python.exitValue()).as(out).isZero();

        String dump = awaitDump();
        String message = dump.substring(dump.indexOf("Received: from"));
        assertThat(message.lines()).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(998));
        StringBuilder words = new StringBuilder();
        for (int i = 0; i < 700; i++) {
            words.append(i == 0 ? "" : " ").append("word").append(i);
        }
        String unfolded = message.replaceAll("\n(?=[ \t])", "");
        assertThat(unfolded).contains("\nSubject: " + words.substring(0, 1500) + "\n");
        assertThat(unfolded).contains("\n\n" + words + "\n");
        assertThat(message.replace("\n ", "")).contains("\n." + "b".repeat(4999) + "\nend\n");
    }

    private String awaitDump() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            Optional<Path> file;
            try (Stream<Path> files = Files.list(dir.resolve("dumps"))) {
                file = files.findFirst();
            }
            if (file.isPresent()) {
                String text = Files.readString(file.get(), StandardCharsets.UTF_8);
                if (text.contains("\nend\n")) {
                    return text;
                }
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        throw new AssertionError("smtp-sink received nothing; mail log:\n" + Files.readString(dir.resolve("mail.log")));
    }

    private void awaitListening() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!sink.isAlive()) {
                throw new IOException("smtp-sink exited: " + Files.readString(dir.resolve("sink.log")));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), sinkPort), 200);
                return;
            } catch (IOException notYet) {
                TimeUnit.MILLISECONDS.sleep(20);
            }
        }
        throw new IOException("smtp-sink did not start listening on port " + sinkPort);
    }
}
