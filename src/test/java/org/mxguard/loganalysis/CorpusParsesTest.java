package org.mxguard.loganalysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every real sendmail and Postfix log of the corpus is read without an error, and mostly understood. */
class CorpusParsesTest {

    @Test
    void everyCorpusLogIsReadWithoutError() throws IOException, URISyntaxException {
        Path root = Path.of(CorpusParsesTest.class.getResource("/maillogs").toURI());
        List<Path> logs;
        try (Stream<Path> walk = Files.walk(root)) {
            logs = walk.filter(Files::isRegularFile).filter(p -> !p.toString().endsWith(".yaml")
                    && !p.toString().endsWith(".ref") && !p.toString().endsWith(".md")).sorted().toList();
        }
        assertThat(logs).hasSizeGreaterThan(40);
        for (Path log : logs) {
            AnalyzerSettings settings = AnalyzerSettings.defaults().withYear(2021).withZone(ZoneOffset.UTC);
            Analysis a = new Analyzer(settings).analyze(List.of(LogSource.of(log)), List.of(), null);
            assertThat(a.errors()).as(log.toString()).isEmpty();
            assertThat(a.counters.lines).as(log.toString()).isGreaterThan(0);
            // These hold no mail line at all: a version banner, identd, a clone line, a bad line.
            if (!log.toString().matches(".*(bad_syslog|repeat_syslog|technoids.log|19_postfix_version.log)$")) {
                assertThat(a.counters.parsed).as(log.toString()).isGreaterThan(0);
            }
        }
    }
}
