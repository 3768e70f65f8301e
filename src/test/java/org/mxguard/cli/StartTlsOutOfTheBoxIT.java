package org.mxguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.config.ConfigLoader;
import org.mxguard.config.MxguardConfig;
import org.mxguard.evidence.StoreSettings;
import org.mxguard.primary.PrimarySettings;
import org.mxguard.primary.ProbeSettings;
import org.mxguard.spool.SpoolSettings;
import org.slf4j.LoggerFactory;

/**
 * A fresh install offers STARTTLS: without a configured certificate the server makes a
 * self-signed one on its first start, says so, and uses the same one after a restart. Checked
 * with Python's smtplib, a client nobody here wrote.
 */
class StartTlsOutOfTheBoxIT {

    @TempDir
    Path dir;

    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private Server server;

    @BeforeEach
    void listen() {
        logged.start();
        ((Logger) LoggerFactory.getLogger(Server.class)).addAppender(logged);
    }

    @AfterEach
    void stop() {
        ((Logger) LoggerFactory.getLogger(Server.class)).detachAppender(logged);
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theFirstStartMakesACertificateAndTheNextStartsKeepIt() throws Exception {
        Path config = ServeConfig.in(dir).hostname("fresh.example").withoutDelivery().write();
        server = new Server(ConfigLoader.load(config), Clock.systemUTC());
        server.start();
        String first = starttls(server.smtpPort());
        assertThat(first).contains("STARTTLS offered", "TLSv1.3", "subject CN=fresh.example");
        assertThat(messages()).anyMatch(m -> m.contains("made the self-signed certificate for fresh.example"));
        Path key = dir.resolve("spool/tls/self-signed-key.pem");
        assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(Files.getPosixFilePermissions(key).toString()).isEqualTo("[OWNER_READ, OWNER_WRITE]");
        server.close();

        logged.list.clear();
        server = new Server(ConfigLoader.load(config), Clock.systemUTC());
        server.start();
        String second = starttls(server.smtpPort());
        assertThat(fingerprint(second)).isEqualTo(fingerprint(first));
        assertThat(messages()).anyMatch(m -> m.contains("using the self-signed certificate for fresh.example"));
    }

    @Test
    void theExampleConfigurationOffersStartTls() throws Exception {
        MxguardConfig example = ConfigLoader.load(Path.of("examples/backup-mx.yaml"));
        SpoolSettings spool = example.spool();
        // The example's own port, spool and name lookups are for a person trying it; a test takes
        // a free port, a temporary spool and asks no DNS server, and leaves out the policy service
        // (the example's listens on a fixed port).
        MxguardConfig config = new MxguardConfig(example.source(),
                example.smtp().withListen(List.of(new java.net.InetSocketAddress("127.0.0.1", 0))),
                new SpoolSettings(dir.resolve("spool"), 0, spool.fsync(), spool.syncDirectory(), spool.commitJournal()),
                example.log(), example.dns(), false, example.policy(), example.delivery(), dir.resolve("control.sock"),
                example.mxSkip(), StoreSettings.defaults(dir.resolve("evidence")), null,
                withoutProbe(example.primary()), org.mxguard.admin.AdminSettings.OFF);
        server = new Server(config, Clock.systemUTC());
        server.start();
        assertThat(starttls(server.smtpPort())).contains("STARTTLS offered", "subject CN=mx2.example.net");
    }

    /** The health probe would ask DNS for the example's domains. */
    private static PrimarySettings withoutProbe(PrimarySettings p) {
        ProbeSettings probe = p.probe();
        return new PrimarySettings(p.logFiles(), p.pollInterval(), p.syslog(), new ProbeSettings(false, probe.interval(),
                probe.timeout(), probe.downAfter(), probe.upAfter()));
    }

    private List<String> messages() {
        return logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    private static String fingerprint(String transcript) {
        return transcript.lines().filter(l -> l.startsWith("sha256 ")).findFirst().orElseThrow();
    }

    /** Python's smtplib: EHLO, STARTTLS (no verification: the certificate is self-signed), EHLO, QUIT. */
    private static String starttls(int port) throws Exception {
        String script = """
                import hashlib, smtplib, ssl, sys
                s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=20)
                s.ehlo("client.test")
                print("STARTTLS offered" if s.has_extn("starttls") else "no STARTTLS")
                context = ssl.create_default_context()
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
                s.starttls(context=context)
                der = s.sock.getpeercert(binary_form=True)
                print(s.sock.version())
                print("sha256 " + hashlib.sha256(der).hexdigest())
                with open(sys.argv[2], "wb") as f:
                    f.write(der)
                code, _ = s.ehlo("client.test")
                print("ehlo after tls", code)
                s.quit()
                """;
        Path der = Files.createTempFile("peer", ".der");
        try {
            Process python = new ProcessBuilder("python3", "-c", script, String.valueOf(port), der.toString())
                    .redirectErrorStream(true).start();
            String out = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(python.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(python.exitValue()).as(out).isZero();
            java.security.cert.X509Certificate cert = (java.security.cert.X509Certificate)
                    java.security.cert.CertificateFactory.getInstance("X.509")
                            .generateCertificate(Files.newInputStream(der));
            return out + "subject " + cert.getSubjectX500Principal().getName() + "\n";
        } finally {
            Files.deleteIfExists(der);
        }
    }
}
