package org.mxguard.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
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
    /** A server certificate for sink.test issued by a test CA, whose certificate is in {@link #caFile}. */
    private static SSLContext issuedContext;
    private static Path caFile;
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

        // A CA and a server certificate it issued, made by openssl (a JVM per keytool step costs seconds).
        caFile = dir.resolve("ca.pem");
        Path caKey = dir.resolve("ca-key.pem");
        Path leafKey = dir.resolve("sink-key.pem");
        Path leaf = dir.resolve("sink-cert.pem");
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                "-subj", "/CN=mxguard test CA", "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign", "-keyout", caKey.toString(), "-out", caFile.toString());
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-subj", "/CN=sink.test", "-keyout", leafKey.toString(), "-out", dir.resolve("sink.csr").toString());
        Path extensions = Files.writeString(dir.resolve("sink.ext"), "subjectAltName=DNS:sink.test\n");
        openssl("x509", "-req", "-in", dir.resolve("sink.csr").toString(), "-CA", caFile.toString(), "-CAkey",
                caKey.toString(), "-CAcreateserial", "-days", "2", "-extfile", extensions.toString(), "-out", leaf.toString());
        CertificateFactory x509 = CertificateFactory.getInstance("X.509");
        Certificate[] chain;
        try (InputStream leafIn = Files.newInputStream(leaf); InputStream caIn = Files.newInputStream(caFile)) {
            chain = new Certificate[] {x509.generateCertificate(leafIn), x509.generateCertificate(caIn)};
        }
        String pem = Files.readString(leafKey).replaceAll("-----[A-Z ]+-----|\\s", "");
        PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(
                Base64.getDecoder().decode(pem)));
        KeyStore issuedStore = KeyStore.getInstance("PKCS12");
        issuedStore.load(null, null);
        issuedStore.setKeyEntry("sink", key, "changeit".toCharArray(), chain);
        KeyManagerFactory issuedKeys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        issuedKeys.init(issuedStore, "changeit".toCharArray());
        issuedContext = SSLContext.getInstance("TLS");
        issuedContext.init(issuedKeys.getKeyManagers(), null, null);
    }

    private static void openssl(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process openssl = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(openssl.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(openssl.exitValue()).as(command + ": " + output).isZero();
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
    void verifiedTlsSucceedsWithTheCaFileThatIssuedTheServersCertificate() {
        sink.tls = issuedContext;
        SmtpClient client = new SmtpClient("mxguard.test", SmtpTimeouts.all(Duration.ofSeconds(5)), TlsMode.VERIFY,
                Duration.ZERO, TlsContexts.of(caFile));
        SessionResult result = client.deliver(target(), tx());
        assertThat(((SessionResult.Completed) result).results().getFirst()).isInstanceOf(DeliveryResult.Delivered.class);
        assertThat(sink.received).singleElement().satisfies(r -> assertThat(r.tls()).isTrue());
    }

    @Test
    void verifiedTlsWithTheRightCaStillChecksTheName() {
        sink.tls = issuedContext;
        SmtpClient client = new SmtpClient("mxguard.test", SmtpTimeouts.all(Duration.ofSeconds(5)), TlsMode.VERIFY,
                Duration.ZERO, TlsContexts.of(caFile));
        SessionResult result = client.deliver(new Target("other.test", InetAddress.getLoopbackAddress(), sink.port()), tx());
        assertThat(((SessionResult.HostFailed) result).reason()).startsWith("TLS handshake with other.test[127.0.0.1] failed");
        assertThat(sink.received).isEmpty();
    }

    @Test
    void theCaFileReplacesTheJdkTrustStoreSoAnotherCertificateIsRefused() {
        SmtpClient client = new SmtpClient("mxguard.test", SmtpTimeouts.all(Duration.ofSeconds(5)), TlsMode.VERIFY,
                Duration.ZERO, TlsContexts.of(caFile));
        assertThat(client.deliver(target(), tx())).isInstanceOf(SessionResult.HostFailed.class);
        assertThat(sink.received).isEmpty();
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

    private static ClientTransaction tx() {
        byte[] content = "Subject: tls\r\n\r\nsecret\r\n".getBytes(StandardCharsets.UTF_8);
        return new ClientTransaction(MailAddress.of("a", "sender.test"), List.of(MailAddress.of("b", "protected.test")),
                content.length, false, false, null, () -> new ByteArrayInputStream(content));
    }
}
