package org.mxguard.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.mxguard.testing.HostsFileResolver;

/**
 * The configuration loader meets any text with a configuration or a {@link ConfigException} whose
 * every problem names the file, never another exception or a hang (YAML aliases, deep nesting,
 * huge numbers, bad durations and addresses). Host names in the text are resolved from /etc/hosts
 * only, so the fuzzer's inventions never become DNS queries. Without JAZZER_FUZZ=1 this replays the
 * seed corpus only (quick); with it, it fuzzes.
 */
class ConfigLoaderFuzzTest {

    private static final Path FILE = Path.of("fuzz.yaml");

    @FuzzTest(maxDuration = "30s")
    void loaderOnlyEverThrowsConfigErrorsNamingTheFile(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        boolean was = HostsFileResolver.hostsOnly(true);
        try {
            MxguardConfig config = ConfigLoader.load(FILE, text);
            assertThat(config).isNotNull();
        } catch (ConfigException expected) {
            assertThat(expected.problems()).isNotEmpty()
                    .allSatisfy(problem -> assertThat(problem).startsWith(FILE.toString()));
        } finally {
            HostsFileResolver.hostsOnly(was);
        }
    }
}
