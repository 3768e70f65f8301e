package org.mxguard.smtp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.mxguard.peer.Peer;

/** A self-signed certificate made with openssl at test time, as docs/smtp.md tells postmasters to. */
record TestCertificate(Path certificate, Path key) {

    static TestCertificate create(Path directory, String hostname) throws IOException, InterruptedException {
        Path certificate = directory.resolve("cert.pem");
        Path key = directory.resolve("key.pem");
        Process openssl = new ProcessBuilder(Peer.require("openssl"), "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=" + hostname,
                "-keyout", key.toString(), "-out", certificate.toString())
                .redirectErrorStream(true).start();
        String output = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!openssl.waitFor(30, TimeUnit.SECONDS) || openssl.exitValue() != 0) {
            throw new IOException("openssl failed: " + output);
        }
        return new TestCertificate(certificate, key);
    }
}
