package org.mxguard.smtp;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Locale;

/**
 * The certificate STARTTLS offers when none is configured: a self-signed one for the host name,
 * made on first start and kept (as Debian makes Postfix's "snakeoil" certificate at install), so
 * that opportunistic TLS (RFC 7435), which every MTA of today tries, works out of the box.
 *
 * <p>It is made with the JDK alone: an EC P-256 key pair, and an X.509 v3 certificate (RFC 5280)
 * whose DER is written here and signed with SHA256withECDSA; the JDK has no public API to make
 * certificates, and calling keytool or openssl would need a binary a JRE may lack. It is made
 * again when it is missing, unreadable, for another host name or within 30 days of its end.
 */
public final class SelfSignedCertificate {

    /** Ten years, as Debian's make-ssl-cert; nobody verifies it, so its age protects nothing. */
    static final Duration VALIDITY = Duration.ofDays(3650);
    private static final Duration RENEW_BEFORE = Duration.ofDays(30);
    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter GENERALIZED_TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'",
            Locale.ROOT).withZone(ZoneOffset.UTC);

    /**
     * The PEM files of the certificate and its PKCS#8 key.
     *
     * @param created true when they were made now, false when kept from an earlier start
     */
    public record PemPair(Path certificate, Path key, boolean created) {
    }

    private SelfSignedCertificate() {
    }

    /** The pair in {@code directory} if it is usable for {@code hostname}, else a new one written there. */
    public static PemPair ensure(Path directory, String hostname, Clock clock) throws IOException {
        Path certificate = directory.resolve("self-signed-cert.pem");
        Path key = directory.resolve("self-signed-key.pem");
        if (usable(certificate, key, hostname, clock.instant())) {
            return new PemPair(certificate, key, false);
        }
        Files.createDirectories(directory);
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = generator.generateKeyPair();
            Instant now = clock.instant();
            byte[] der = certificate(pair, hostname, now.minus(Duration.ofHours(1)), now.plus(VALIDITY),
                    new BigInteger(64, new SecureRandom()).setBit(63));
            // The key first, private from its first byte; then the certificate, which marks the pair complete.
            write(key, pem("PRIVATE KEY", pair.getPrivate().getEncoded()), true);
            write(certificate, pem("CERTIFICATE", der), false);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot make a self-signed certificate: " + e.getMessage(), e);
        }
        return new PemPair(certificate, key, true);
    }

    private static boolean usable(Path certificate, Path key, String hostname, Instant now) {
        if (!Files.isReadable(certificate) || !Files.isReadable(key)) {
            return false;
        }
        try (InputStream in = Files.newInputStream(certificate)) {
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            boolean named = cert.getSubjectAlternativeNames() != null && cert.getSubjectAlternativeNames().stream()
                    .anyMatch(name -> hostname.equalsIgnoreCase(String.valueOf(name.get(1))));
            return named && now.plus(RENEW_BEFORE).isBefore(cert.getNotAfter().toInstant());
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    /** RFC 5280 §4.1: Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }. */
    static byte[] certificate(KeyPair pair, String hostname, Instant notBefore, Instant notAfter, BigInteger serial)
            throws GeneralSecurityException {
        byte[] algorithm = sequence(oid(1, 2, 840, 10045, 4, 3, 2));  // ecdsa-with-SHA256, RFC 5758 §3.2
        byte[] name = sequence(set(sequence(oid(2, 5, 4, 3), tlv(0x0c, hostname.getBytes(StandardCharsets.UTF_8)))));
        byte[] extensions = sequence(
                // subjectAltName dNSName (RFC 5280 §4.2.1.6): what TLS clients match the name against
                extension(oid(2, 5, 29, 17), false, sequence(tlv(0x82, hostname.getBytes(StandardCharsets.US_ASCII)))),
                // basicConstraints: not a CA
                extension(oid(2, 5, 29, 19), true, sequence()));
        byte[] tbs = sequence(
                tlv(0xa0, integer(BigInteger.TWO)),  // [0] version v3
                integer(serial),
                algorithm,
                name,
                sequence(time(notBefore), time(notAfter)),
                name,
                pair.getPublic().getEncoded(),        // SubjectPublicKeyInfo, already DER
                tlv(0xa3, extensions));
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(pair.getPrivate());
        signer.update(tbs);
        byte[] signature = signer.sign();
        byte[] bits = new byte[signature.length + 1];
        System.arraycopy(signature, 0, bits, 1, signature.length);
        byte[] der = sequence(tbs, algorithm, tlv(0x03, bits));
        // Parsing it back proves the encoding before anything is written.
        CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
        return der;
    }

    private static byte[] extension(byte[] oid, boolean critical, byte[] value) {
        return critical ? sequence(oid, tlv(0x01, new byte[] {(byte) 0xff}), tlv(0x04, value))
                : sequence(oid, tlv(0x04, value));
    }

    /** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
    private static byte[] time(Instant instant) {
        int year = instant.atZone(ZoneOffset.UTC).getYear();
        return year < 2050 ? tlv(0x17, UTC_TIME.format(instant).getBytes(StandardCharsets.US_ASCII))
                : tlv(0x18, GENERALIZED_TIME.format(instant).getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] integer(BigInteger value) {
        return tlv(0x02, value.toByteArray());
    }

    private static byte[] oid(int... arcs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(40 * arcs[0] + arcs[1]);
        for (int i = 2; i < arcs.length; i++) {
            int arc = arcs[i];
            int shift = 28;
            while (shift > 0 && (arc >>> shift) == 0) {
                shift -= 7;
            }
            for (; shift > 0; shift -= 7) {
                out.write(0x80 | ((arc >>> shift) & 0x7f));
            }
            out.write(arc & 0x7f);
        }
        return tlv(0x06, out.toByteArray());
    }

    private static byte[] sequence(byte[]... parts) {
        return tlv(0x30, concat(parts));
    }

    private static byte[] set(byte[]... parts) {
        return tlv(0x31, concat(parts));
    }

    /** DER: tag, definite length (short or long form), value. */
    private static byte[] tlv(int tag, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length + 6);
        out.write(tag);
        int length = value.length;
        if (length < 0x80) {
            out.write(length);
        } else {
            int octets = length > 0xffffff ? 4 : length > 0xffff ? 3 : length > 0xff ? 2 : 1;
            out.write(0x80 | octets);
            for (int i = octets - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        out.writeBytes(value);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static void write(Path target, String text, boolean secret) throws IOException {
        Path temp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        if (secret && FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(temp, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")));
        }
        Files.writeString(temp, text, StandardCharsets.US_ASCII);
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
