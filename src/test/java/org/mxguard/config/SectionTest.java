package org.mxguard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SectionTest {

    @Test
    void readsTypedValuesWithDefaults() throws ConfigException {
        List<String> problems = new ArrayList<>();
        Section root = ConfigFile.parse("t.yaml", """
                smtp:
                  max-recipients: 200
                  timeout: 5m
                  message-size: 10m
                  domains: [a.example, .b.example]
                """, problems);
        Section smtp = root.section("smtp");
        assertThat(smtp.integer("max-recipients", 100, 100, 100_000)).isEqualTo(200);
        assertThat(smtp.duration("timeout", Duration.ZERO)).isEqualTo(Duration.ofMinutes(5));
        assertThat(smtp.size("message-size", 0, 0)).isEqualTo(10L * 1024 * 1024);
        assertThat(smtp.strings("domains", List.of())).containsExactly("a.example", ".b.example");
        assertThat(smtp.bool("absent", true)).isTrue();
        smtp.finish();
        root.finish();
        assertThat(problems).isEmpty();
    }

    @Test
    void everyProblemNamesFileLineAndKey() throws ConfigException {
        List<String> problems = new ArrayList<>();
        Section root = ConfigFile.parse("backup.yaml", """
                smtp:
                  max-recipients: 10
                  timeout: soon
                  typo-key: 1
                """, problems);
        Section smtp = root.section("smtp");
        smtp.integer("max-recipients", 100, 100, 100_000);
        smtp.duration("timeout", Duration.ZERO);
        smtp.finish();
        assertThat(problems).containsExactly(
                "backup.yaml:2: smtp.max-recipients: must be between 100 and 100000, not 10",
                "backup.yaml:3: smtp.timeout: not a duration (use 500ms, 300s, 5m, 4h or 5d): 'soon'",
                "backup.yaml:4: smtp.typo-key: unknown key (known keys: max-recipients, timeout)");
    }

    @Test
    void yamlSyntaxErrorsNameTheLine() {
        assertThatThrownBy(() -> ConfigFile.parse("bad.yaml", "a: 1\nb: [unclosed\n", new ArrayList<>()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("bad.yaml:");
    }
}
