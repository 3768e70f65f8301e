package org.mxguard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminConfigTest {

    @TempDir
    Path dir;

    private MxguardConfig load(String admin) throws Exception {
        Path file = dir.resolve("mx.yaml");
        Files.writeString(file, "protected-domains: [example.org]\nadmin:\n" + admin);
        return ConfigLoader.load(file);
    }

    @Test
    void offUnlessListenIsSetAndABarePortMeansLoopback() throws Exception {
        Path file = dir.resolve("min.yaml");
        Files.writeString(file, "protected-domains: [example.org]\n");
        assertThat(ConfigLoader.load(file).admin().listen()).isNull();
        MxguardConfig config = load("  listen: 8025\n");
        assertThat(config.admin().listen().getAddress().isLoopbackAddress()).isTrue();
        assertThat(config.admin().listen().getPort()).isEqualTo(8025);
        assertThat(config.admin().token()).isNull();
    }

    @Test
    void aListenerOthersCanReachWithoutATokenIsRefusedWithItsLine() {
        assertThatThrownBy(() -> load("  listen: \"*:8025\"\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("mx.yaml:3: admin.listen: ")
                .hasMessageContaining("reachable from other hosts: set token or token-file");
    }

    @Test
    void theTokenComesFromAFileAndNeverShowsInTheSettingsText() throws Exception {
        Path token = dir.resolve("admin.token");
        Files.writeString(token, "  0123456789abcdef0123456789abcdef\n");
        MxguardConfig config = load("  listen: \"*:8025\"\n  token-file: " + token + "\n");
        assertThat(config.admin().token()).isEqualTo("0123456789abcdef0123456789abcdef");
        assertThat(config.admin().toString()).doesNotContain("0123456789abcdef").contains("token=set");
    }

    @Test
    void badTokensAreNamed() {
        assertThatThrownBy(() -> load("  listen: 8025\n  token: short\n"))
                .hasMessageContaining("mx.yaml:4: admin.token: the token must be at least 16 characters");
        assertThatThrownBy(() -> load("  listen: 8025\n  token-file: " + dir.resolve("missing") + "\n"))
                .hasMessageContaining("mx.yaml:4: admin.token-file: ").hasMessageContaining("cannot read");
        assertThatThrownBy(() -> load("  token: 0123456789abcdef0\n  token-file: /x\n"))
                .hasMessageContaining("admin.token-file: give either token or token-file, not both");
    }
}
