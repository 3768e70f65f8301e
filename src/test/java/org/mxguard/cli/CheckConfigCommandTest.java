package org.mxguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.peer.Peer;

/**
 * {@code check-config} refuses exactly what {@code serve} refuses at start: each configuration here
 * is one that a server cannot start with, and both commands say why, naming the file and line.
 */
class CheckConfigCommandTest {

    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            // A serve that wrongly starts would run until killed: the time limit turns that into a failure.
            int code = Assertions.assertTimeoutPreemptively(Duration.ofSeconds(30), () -> Main.run(args));
            return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    /** A configuration that starts on this machine, with {@code extra} appended under {@code smtp:}. */
    private Path config(String smtpExtra, String rest) throws Exception {
        Path file = dir.resolve("mx.yaml");
        Files.writeString(file, """
                hostname: mx2.example.net
                protected-domains: [example.org]
                smtp:
                  listen: [ "127.0.0.1:0" ]
                %s
                spool:
                  directory: %s
                delivery:
                  enabled: false
                %s
                """.formatted(smtpExtra.indent(2).stripTrailing(), dir.resolve("spool"), rest));
        return file;
    }

    /** Both commands refuse the file, and each names {@code file:line: key}. */
    private void bothRefuse(Path file, String expected) {
        Run check = run("check-config", "-c", file.toString());
        assertThat(check.code()).as(check.out() + check.err()).isEqualTo(1);
        assertThat(check.err()).contains(file + ":" + expected);
        Run serve = run("serve", "-c", file.toString());
        assertThat(serve.code()).as(serve.out() + serve.err()).isEqualTo(1);
        assertThat(serve.err()).contains(file + ":" + expected);
    }

    @Test
    void aConfigurationThatStartsPasses() throws Exception {
        Run check = run("check-config", "-c", config("", "").toString());
        assertThat(check.code()).as(check.err()).isZero();
        assertThat(check.out()).contains("ok (protecting example.org");
        Run example = run("check-config", "-c", "examples/backup-mx.yaml");
        assertThat(example.code()).as(example.err()).isZero();
    }

    @Test
    void missingTlsFilesAreRefused() throws Exception {
        Path file = config("""
                tls:
                  certificate: %s
                  key: %s
                """.formatted(dir.resolve("nope.pem"), dir.resolve("nope.key")), "");
        bothRefuse(file, "6: smtp.tls.certificate: " + dir.resolve("nope.pem") + ": cannot read");
    }

    @Test
    void aCertificateFileWithoutACertificateIsRefused() throws Exception {
        Path key = Files.writeString(dir.resolve("server.key"), "not a key\n");
        Path cert = Files.writeString(dir.resolve("server.pem"), "not a certificate\n");
        Path file = config("""
                tls:
                  certificate: %s
                  key: %s
                """.formatted(cert, key), "");
        bothRefuse(file, "6: smtp.tls.certificate: " + cert + ": ");
    }

    @Test
    void aKeyFileWithoutAKeyIsRefused() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Process openssl = new ProcessBuilder(Peer.require("openssl"), "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=mx2.example.net",
                "-keyout", dir.resolve("real.key").toString(), "-out", cert.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("openssl.out").toFile()).start();
        assertThat(openssl.waitFor()).as(Files.readString(dir.resolve("openssl.out"))).isZero();
        Path key = Files.writeString(dir.resolve("server.key"), "not a key\n");
        Path file = config("""
                tls:
                  certificate: %s
                  key: %s
                """.formatted(cert, key), "");
        bothRefuse(file, "7: smtp.tls.key: " + key + ": no \"BEGIN PRIVATE KEY\"");
    }

    @Test
    void aPostmasterDomainThatIsNotProtectedIsRefused() throws Exception {
        Path file = config("postmaster-domain: example.net", "");
        bothRefuse(file, "5: smtp.postmaster-domain: example.net is not a protected domain");
    }

    @Test
    void aListenAddressNotOnThisHostIsRefused() throws Exception {
        Path file = config("", "");
        Files.writeString(file, Files.readString(file).replace("127.0.0.1:0", "192.0.2.1:0"));
        bothRefuse(file, "4: smtp.listen: 192.0.2.1 is not an address of this host");
    }

    @Test
    void aSpoolDirectoryThatIsAFileIsRefused() throws Exception {
        Files.writeString(dir.resolve("spool"), "a file\n");
        Path file = config("", "");
        bothRefuse(file, "7: spool.directory: " + dir.resolve("spool") + " is not a directory");
    }

    @Test
    void aLogFileThatCannotBeCreatedIsRefused() throws Exception {
        Files.writeString(dir.resolve("logs"), "a file\n");
        Path log = dir.resolve("logs").resolve("mail.log");
        Path file = config("", "log:\n  file: " + log);
        bothRefuse(file, "11: log.file: " + log + ": " + dir.resolve("logs") + " is not a directory");
    }

    @Test
    void aRuleRefusingEveryBounceToTheProtectedDomainsIsRefused() throws Exception {
        Path rules = Files.writeString(dir.resolve("access.rules"), """
                tempfail from <> client-name .dialup.isp.example
                disconnect from <> to example.org
                """);
        Path file = config("", "policy:\n  rules: " + rules);
        Run check = run("check-config", "-c", file.toString());
        assertThat(check.code()).as(check.err()).isEqualTo(1);
        assertThat(check.err()).contains(rules + ":2:1: this rule would disconnect every null sender <> "
                + "(to example.org covers every protected domain): RFC 5321 §4.5.5 and §6.1");
        Run serve = run("serve", "-c", file.toString());
        assertThat(serve.code()).isEqualTo(1);
        assertThat(serve.err()).contains(rules + ":2:1: this rule would disconnect every null sender <>");
    }

    @Test
    void aControlSocketPathLongerThanUnixAllowsIsRefused() throws Exception {
        Path socket = dir.resolve("x".repeat(120) + ".sock");
        Path file = config("", "control:\n  socket: " + socket);
        bothRefuse(file, "11: control.socket: the path is " + socket.toString().length()
                + " bytes long; a Unix socket path holds at most 107");
    }
}
