package org.mxguard.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.mail.MailAddress;

/** STARTTLS (RFC 3207) against the scripted server with a self-signed certificate made by keytool. */
class SmtpClientTlsIT {

    @TempDir
    static Path dir;

    private static SSLContext serverContext;
    private ScriptedSink sink;

    @BeforeAll
    static void makeCertificate() throws Exception {
        Path keystore = dir.resolve("sink.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "sink", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=sink.test",
                "-ext", "SAN=dns:sink.test", "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", "changeit", "-keypass", "changeit").redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(output).isZero();
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, "changeit".toCharArray());
        serverContext = SSLContext.getInstance("TLS");
        serverContext.init(keys.getKeyManagers(), null, null);
    }

    @BeforeEach
    void startSink() throws Exception {
        sink = new ScriptedSink();
        sink.extensions = List.of("PIPELINING", "STARTTLS", "XFORWARD NAME ADDR");
        sink.tls = serverContext;
    }

    @AfterEach
    void stopSink() throws Exception {
        sink.close();
    }

    @Test
    void opportunisticTlsAcceptsASelfSignedCertificate() {
        SessionResult result = client(TlsMode.MAY).deliver(target(), tx());
        assertThat(((SessionResult.Completed) result).results().getFirst()).isInstanceOf(DeliveryResult.Delivered.class);
        assertThat(sink.received).singleElement().satisfies(r -> assertThat(r.tls()).isTrue());
        // RFC 3207 §4.2: EHLO again after the handshake.
        assertThat(sink.commands).filteredOn(c -> c.startsWith("EHLO")).hasSize(2);
    }

    @Test
    void verifiedTlsRefusesAnUntrustedCertificateAndSendsNothing() {
        SessionResult result = client(TlsMode.VERIFY).deliver(target(), tx());
        assertThat(result).isInstanceOf(SessionResult.HostFailed.class);
        assertThat(((SessionResult.HostFailed) result).reason()).startsWith("TLS handshake with sink.test[127.0.0.1] failed");
        assertThat(sink.received).isEmpty();
        assertThat(sink.connections.get()).isEqualTo(1);
    }

    @Test
    void opportunisticTlsFallsBackToPlainTextWhenTheHandshakeFails() {
        sink.brokenTls = true;
        SessionResult result = client(TlsMode.MAY).deliver(target(), tx());
        assertThat(((SessionResult.Completed) result).results().getFirst()).isInstanceOf(DeliveryResult.Delivered.class);
        assertThat(sink.received).singleElement().satisfies(r -> assertThat(r.tls()).isFalse());
        assertThat(sink.connections.get()).isEqualTo(2);
    }

    @Test
    void noTlsModeNeverStartsTls() {
        client(TlsMode.NONE).deliver(target(), tx());
        assertThat(sink.commands).doesNotContain("STARTTLS");
        assertThat(sink.received.getFirst().tls()).isFalse();
    }

    private static SmtpClient client(TlsMode mode) {
        return new SmtpClient("mxguard.test", SmtpTimeouts.all(Duration.ofSeconds(5)), mode);
    }

    private Target target() {
        return new Target("sink.test", InetAddress.getLoopbackAddress(), sink.port());
    }

    private static Transaction tx() {
        byte[] content = "Subject: tls\r\n\r\nsecret\r\n".getBytes(StandardCharsets.UTF_8);
        return new Transaction(MailAddress.of("a", "sender.test"), List.of(MailAddress.of("b", "protected.test")),
                content.length, false, false, null, () -> new ByteArrayInputStream(content));
    }
}
