package org.mxguard.hostclass;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.net.InetAddresses;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The classifier on real host names from the mail-log corpus, and on the reported false positives. */
class DynamicHostClassifierTest {

    @Test
    void corpusHostNamesAreClassifiedAsExpected() throws IOException {
        List<String> wrong = new ArrayList<>();
        int n = 0;
        try (InputStream in = getClass().getResourceAsStream("/hostclass/corpus-hostnames.csv")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList()) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                String[] f = line.split(",", 4);
                DynamicHostClassifier.Verdict v = DynamicHostClassifier.classify(f[0], InetAddresses.forString(f[1]));
                n++;
                if (v.dynamic() != Boolean.parseBoolean(f[2])) {
                    wrong.add(f[0] + " expected " + f[2] + " " + v.reasons());
                }
            }
        }
        assertThat(wrong).isEmpty();
        assertThat(n).isGreaterThan(30);
    }

    @Test
    void reasonsNameTheEvidence() {
        DynamicHostClassifier.Verdict v = DynamicHostClassifier.classify("usr13-dialup53.mix1.willowsprings.mci.net",
                InetAddresses.forString("166.55.38.53"));
        assertThat(v.dynamic()).isTrue();
        assertThat(v.reasons()).anyMatch(r -> r.contains("dialup"));
    }

    @Test
    void addressInTheNameInEveryWrittenForm() {
        var a = InetAddresses.forString("198.51.100.7");
        assertThat(DynamicHostClassifier.classify("198-51-100-7.isp.example", a).dynamic()).isTrue();
        assertThat(DynamicHostClassifier.classify("7.100.51.198.isp.example", a).dynamic()).isTrue();
        assertThat(DynamicHostClassifier.classify("h198051100007.isp.example", a).dynamic()).isTrue();
        assertThat(DynamicHostClassifier.classify("c6336407.isp.example", a).dynamic()).isTrue();
        assertThat(DynamicHostClassifier.classify("www.isp.example", a).dynamic()).isFalse();
    }

    @Test
    void wordsInTheRegisteredDomainDoNotCount() {
        assertThat(DynamicHostClassifier.classify("www.dialup-museum.org", InetAddresses.forString("192.0.2.1"))
                .dynamic()).isFalse();
        assertThat(DynamicHostClassifier.registeredDomain("a.b.willowsprings.mci.net")).isEqualTo("mci.net");
        assertThat(DynamicHostClassifier.registeredDomain("x.y.example")).isEqualTo("y.example");
    }

    @Test
    void noNameIsNotDynamic() {
        assertThat(DynamicHostClassifier.classify(null, null).dynamic()).isFalse();
        assertThat(DynamicHostClassifier.classify("unknown", null).dynamic()).isFalse();
    }
}
