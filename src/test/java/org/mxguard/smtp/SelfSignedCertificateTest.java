package org.mxguard.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SelfSignedCertificateTest {

    private static final Instant NOW = Instant.parse("2026-12-06T06:00:00Z");

    @TempDir
    Path dir;

    @Test
    void madeOnceForTheHostNameAndKeptUntilNearItsEnd() throws Exception {
        SelfSignedCertificate.PemPair first = SelfSignedCertificate.ensure(dir, "mx2.example.org", at(NOW));
        assertThat(first.created()).isTrue();
        X509Certificate cert = read(first.certificate());
        cert.verify(cert.getPublicKey());
        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=mx2.example.org");
        assertThat(cert.getIssuerX500Principal()).isEqualTo(cert.getSubjectX500Principal());
        assertThat(cert.getSubjectAlternativeNames()).containsExactly(List.of(2, "mx2.example.org"));
        assertThat(cert.getBasicConstraints()).isEqualTo(-1);
        assertThat(cert.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(3650)));

        String pem = Files.readString(first.certificate());
        assertThat(SelfSignedCertificate.ensure(dir, "mx2.example.org", at(NOW.plus(Duration.ofDays(3000)))).created())
                .isFalse();
        assertThat(Files.readString(first.certificate())).isEqualTo(pem);
        assertThat(SelfSignedCertificate.ensure(dir, "mx2.example.org", at(NOW.plus(Duration.ofDays(3630)))).created())
                .as("renewed within 30 days of its end").isTrue();
        assertThat(SelfSignedCertificate.ensure(dir, "mx3.example.org", at(NOW)).created())
                .as("made again for a new host name").isTrue();
        assertThat(read(first.certificate()).getSubjectX500Principal().getName()).isEqualTo("CN=mx3.example.org");
    }

    @Test
    void aDamagedFileIsReplaced() throws Exception {
        SelfSignedCertificate.PemPair first = SelfSignedCertificate.ensure(dir, "mx2.example.org", at(NOW));
        Files.writeString(first.certificate(), "-----BEGIN CERTIFICATE-----\ngarbage\n");
        assertThat(SelfSignedCertificate.ensure(dir, "mx2.example.org", at(NOW)).created()).isTrue();
        assertThat(PemTlsContext.load(first.certificate(), first.key())).isNotNull();
    }

    private static Clock at(Instant instant) {
        return Clock.fixed(instant, ZoneOffset.UTC);
    }

    private static X509Certificate read(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }
}
