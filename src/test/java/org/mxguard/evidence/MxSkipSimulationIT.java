package org.mxguard.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.testing.PostfixInstance;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The short version of the MX-skip simulation ({@code bench/simulate/run.sh --short}, described in
 * docs/EVALUATION.md): a real Postfix primary reporting to this build's policy service, this build
 * as the backup MX in enforce mode, legitimate Postfix and scripted MTAs, EMS-style spamware, through
 * the primary up, down, and a partition. Asserts the goals on what the sink recorded and what
 * mxguard logged: every legitimate message delivered, none bounced, p95 delay under one retry
 * interval plus a minute, under 1 % of the spam accepted after the warm-up while the primary is up
 * (and, in the other phases, no spam beyond that from any network but one whose block a spam
 * client's retry credit lifted), no automatic block that covers a legitimate sender.
 */
@Tag("peer")
class MxSkipSimulationIT {

    private static final List<String> PHASES = List.of("up", "down", "partition");

    @Test
    void shortSimulationMeetsTheGoals(@TempDir Path dir) throws IOException, InterruptedException {
        assumeTrue(PostfixInstance.available(), "the simulation runs Postfix instances: it needs root and postfix");
        // Postfix's daemons run as user postfix and must reach their queue under the test's directory.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path root = Path.of("").toAbsolutePath();
        Path json = dir.resolve("result.json");
        Path output = dir.resolve("output.txt");
        ProcessBuilder pb = new ProcessBuilder("python3", root.resolve("bench/simulate/simulate.py").toString(),
                "--short", "--json", json.toString(), "--workdir", dir.resolve("work").toString())
                .redirectErrorStream(true).redirectOutput(output.toFile());
        // This build, from the test class path: no jar, no launcher.
        pb.environment().put("MXGUARD_CMD", quoted(ProcessHandle.current().info().command().orElse("java")) + " -cp "
                + quoted(classPath()) + " org.mxguard.cli.Main");
        Process process = pb.start();
        boolean ended = process.waitFor(5, TimeUnit.MINUTES);
        if (!ended) {
            process.destroyForcibly().waitFor();
        }
        String printed = Files.readString(output, StandardCharsets.UTF_8);
        System.out.println(printed);
        assertThat(ended).as("the simulation ended within 5 minutes:\n%s", printed).isTrue();
        assertThat(process.exitValue()).as(printed).isZero();

        Map<String, Object> result = map(new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(json, StandardCharsets.UTF_8)));
        Map<String, Object> settings = map(result.get("settings"));
        double delayLimit = number(settings.get("retry_interval_minutes")) + 1;
        Map<String, Object> phases = map(result.get("phases"));
        long attempts = 0;
        for (String name : PHASES) {
            Map<String, Object> phase = map(phases.get(name));
            String about = name + " phase, in:\n" + printed;
            assertThat(number(phase.get("offered"))).as("legitimate messages offered, " + about).isPositive();
            assertThat(phase.get("delivered")).as("delivered, " + about).isEqualTo(phase.get("offered"));
            assertThat(number(phase.get("lost"))).as("lost, " + about).isZero();
            assertThat(number(phase.get("bounced"))).as("bounced, " + about).isZero();
            assertThat(number(phase.get("delay_p95"))).as("p95 delay in simulated minutes, " + about)
                    .isLessThan(delayLimit);
            assertThat(number(phase.get("false_blocks"))).as("false automatic blocks, " + about).isZero();
            attempts += (long) number(phase.get("spam_attempts"));
        }
        // The phases did what they are for: mail went through the backup while the primary was down,
        // and the partitioned senders were refused first and came through on retry credit.
        assertThat(number(map(phases.get("down")).get("via_backup"))).as(printed).isPositive();
        assertThat(number(map(phases.get("partition")).get("legit_tempfails"))).as(printed).isPositive();
        assertThat(attempts).as("spam sessions after the warm-up:\n%s", printed).isGreaterThan(100);
        // While the rule is in force, blocks and the rule stop the spam.
        Map<String, Object> up = map(phases.get("up"));
        assertThat(number(up.get("spam_accepted")) / number(up.get("spam_attempts")))
                .as("share of spam accepted after the warm-up, primary up:\n%s", printed).isLessThan(0.01);
        // The goal is the same in the other phases. It is missed there today for one reason only, pinned
        // here so that any other leak fails: a spam client that repeats a sender and recipient after the
        // retry interval (by chance: spamware does not retry) earns retry credit, and the credit lifts
        // the blocks of its network; while the primary is down (the rule off) or just back (the probe
        // not yet sure), nothing blocks that network again. docs/EVALUATION.md, Findings.
        Set<String> liftedBySpam = new HashSet<>();
        for (Object o : (List<?>) result.get("lifted")) {
            Map<String, Object> lift = map(o);
            if (Boolean.TRUE.equals(lift.get("by_spam_client"))) {
                liftedBySpam.add((String) lift.get("target"));
            }
        }
        for (String name : List.of("down", "partition")) {
            Map<String, Object> phase = map(phases.get(name));
            if (number(phase.get("spam_accepted")) >= 0.01 * number(phase.get("spam_attempts"))) {
                assertThat(map(phase.get("spam_accepted_networks")).keySet())
                        .as("networks whose spam was accepted in the %s phase, beyond 1 %%: only those whose "
                                + "block a spam client's retry credit lifted:\n%s", name, printed)
                        .isSubsetOf(liftedBySpam);
            }
        }
        assertThat((List<?>) result.get("blocks")).as("automatic blocks:\n%s", printed).isNotEmpty();
        assertThat(number(map(map(result.get("goals")).get("first_block_minute")).get("value")))
                .as("first block, simulated minute:\n%s", printed).isLessThan(number(settings.get("up")));
        assertThat(number(result.get("spam_at_sink"))).as(printed).isEqualTo(accepted(phases));
    }

    /** Spam accepted in every phase, warm-up included: what the sink may hold. */
    private static double accepted(Map<String, Object> phases) {
        double sum = 0;
        for (String name : PHASES) {
            sum += number(map(phases.get(name)).get("spam_accepted_all"));
        }
        return sum;
    }

    private static String classPath() {
        // Surefire runs tests from a manifest-only jar; the real class path is in this property.
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }

    private static String quoted(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        assertThat(o).isInstanceOf(Map.class);
        return (Map<String, Object>) o;
    }

    private static double number(Object o) {
        assertThat(o).as("a number").isInstanceOf(Number.class);
        return ((Number) o).doubleValue();
    }
}
