package org.mxguard.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The configuration file of a {@code mxguard serve} on loopback, as the tests write it. It starts
 * from the keys every such server needs (SMTP on 127.0.0.1, port 0 unless given; spool and mail log
 * in the test's directory, no free-space reserve; no DNS lookup of client names) and each test names
 * only what it varies. Keys are spelled as in docs/configuration.md, so the real {@code ConfigLoader}
 * reads the file; a key no method names goes in with {@link #set} or, for a block a test passes
 * around as text, {@link #yaml(String)}.
 */
final class ServeConfig {

    private final Path dir;
    private final YamlMapping root = new YamlMapping();

    private ServeConfig(Path dir) {
        this.dir = dir;
        set("hostname", "backup.test");
        protectedDomains("protected.test");
        smtpPort(0);
        spool(dir.resolve("spool"));
        set("spool.min-free-space", "0");
        log(dir.resolve("mail.log"));
        set("dns.client-name-lookup", "false");
    }

    /** A configuration whose spool and mail log are in {@code dir}, and which {@link #write()} writes there. */
    static ServeConfig in(Path dir) {
        return new ServeConfig(dir);
    }

    ServeConfig hostname(String name) {
        return set("hostname", name);
    }

    ServeConfig protectedDomains(String... domains) {
        return set("protected-domains", "[" + String.join(", ", domains) + "]");
    }

    /** The SMTP listener on 127.0.0.1 at {@code port}; 0 lets the system choose. */
    ServeConfig smtpPort(int port) {
        return set("smtp.listen", "[ \"127.0.0.1:" + port + "\" ]");
    }

    ServeConfig spool(Path directory) {
        return set("spool.directory", quoted(directory));
    }

    ServeConfig log(Path file) {
        return set("log.file", quoted(file));
    }

    /** The DNS server to ask, on 127.0.0.1 (dnsmasq started by the test). */
    ServeConfig dnsServer(int port) {
        return set("dns.servers", "[ \"127.0.0.1:" + port + "\" ]");
    }

    ServeConfig rules(Path file) {
        return set("policy.rules", quoted(file));
    }

    /** Mail for {@code domain} goes to 127.0.0.1 at {@code port}, whatever its MX records say. */
    ServeConfig route(String domain, int port) {
        return route(domain, "[127.0.0.1]:" + port);
    }

    ServeConfig route(String domain, String nexthop) {
        root.mapping("delivery").mapping("routes").put(domain, quoted(nexthop));
        return this;
    }

    /** Nothing is delivered: mail stays in the spool. */
    ServeConfig withoutDelivery() {
        return set("delivery.enabled", "false");
    }

    /**
     * Only the configured names and addresses count as this host in an MX list, not every local
     * interface address (127.0.0.1 among them).
     */
    ServeConfig withoutInterfaceAddresses() {
        return set("delivery.interface-addresses", "false");
    }

    /** Retries a second apart, then up to {@code maxBackoff}; deferred mail probed every {@code probeInterval}. */
    ServeConfig retries(String maxBackoff, String probeInterval) {
        return set("delivery.min-backoff", "1s").set("delivery.max-backoff", maxBackoff)
                .set("delivery.probe-interval", probeInterval);
    }

    /** No banner probes of the primary hosts: every primary counts as up, and no probe traffic. */
    ServeConfig withoutPrimaryProbe() {
        return set("primary.probe.enabled", "false");
    }

    /** The policy service for the primary's Postfix, on 127.0.0.1 at {@code port}. */
    ServeConfig policyService(int port) {
        return set("policy-service.listen", "\"127.0.0.1:" + port + "\"");
    }

    /** The embedded evidence store in {@code directory}. */
    ServeConfig evidence(Path directory) {
        return set("evidence.directory", quoted(directory));
    }

    /** The evidence store shared in Redis at these addresses ({@code redis://127.0.0.1:PORT}). */
    ServeConfig redis(String... addresses) {
        return set("evidence.store", "redis").set("evidence.redis.addresses",
                Arrays.stream(addresses).map(ServeConfig::quoted).collect(Collectors.joining(", ", "[ ", " ]")));
    }

    /** The HTTP admin API and dashboard on 127.0.0.1, port chosen by the system. */
    ServeConfig admin() {
        return set("admin.listen", "127.0.0.1:0");
    }

    /** The MX-skip rule's mode: {@code observe}, {@code enforce} or {@code off}. */
    ServeConfig mxSkip(String mode) {
        return set("mx-skip.mode", mode);
    }

    /** Any key by its dotted name ({@code delivery.tls}) with its YAML value as written in the file. */
    ServeConfig set(String dottedKey, String yamlValue) {
        List<String> names = List.of(dottedKey.split("\\."));
        root.mapping(names.subList(0, names.size() - 1)).put(names.getLast(), yamlValue);
        return this;
    }

    /** YAML text at the top level, for keys no method here sets (a key set twice is a key the loader sees twice). */
    ServeConfig yaml(String text) {
        root.append(text);
        return this;
    }

    /** YAML text inside the section {@code dottedKey} ({@code mx-skip}, {@code evidence.redis}). */
    ServeConfig yaml(String dottedKey, String text) {
        root.mapping(List.of(dottedKey.split("\\."))).append(text);
        return this;
    }

    /** Writes {@code mxguard.yaml} in the directory and returns its path. */
    Path write() throws IOException {
        return write(dir.resolve("mxguard.yaml"));
    }

    Path write(Path file) throws IOException {
        return Files.writeString(file, text());
    }

    String text() {
        StringBuilder out = new StringBuilder();
        root.appendTo(out, "");
        return out.toString();
    }

    private static String quoted(Object value) {
        return "\"" + value.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
