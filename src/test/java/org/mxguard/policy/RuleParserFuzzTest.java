package org.mxguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;

/**
 * The rule parser meets any text with rules or a {@link PolicyParseException}, never another
 * exception. Without JAZZER_FUZZ=1 this replays the seed corpus only (quick); with it, it fuzzes.
 */
class RuleParserFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void parserOnlyEverThrowsParseErrors(byte[] input) {
        String text = new String(input, java.nio.charset.StandardCharsets.UTF_8);
        try {
            List<Rule> rules = RuleFileReader.parse("fuzz.rules", text);
            for (Rule r : rules) {
                // Whatever parses must render to text that parses back to the same rule.
                Rule again = RuleFileReader.parse("fuzz.rules", r.render()).getFirst();
                assertThat(again.conditions()).isEqualTo(r.conditions());
                assertThat(again.action()).isEqualTo(r.action());
                assertThat(again.reply()).isEqualTo(r.reply());
            }
            RuleSet.compile("fuzz", rules, PolicySettings.DEFAULTS);
        } catch (PolicyParseException expected) {
            assertThat(expected.errors()).allSatisfy(e -> assertThat(e.file()).isEqualTo("fuzz.rules"));
        }
    }
}
