package org.mxguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PolicyCommandTest {

    @TempDir
    Path dir;

    private Path rules;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void writeRules() throws Exception {
        rules = dir.resolve("access.rules");
        Files.writeString(rules, """
                # chalmers.se, 1998
                accept client 192.0.2.53
                tempfail client 192.0.2.0/24
                tempfail from <> client-name .dialup.isp.example because "EMS/RFMS via backup MX"
                reject listed-in zen.example=127.0.0.10 to protected.example
                """);
    }

    private int run(String... args) {
        CommandLine cl = new CommandLine(new PolicyCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void checkPrintsDecisionReplyAndRule() {
        int code = run("check", "--rules", rules.toString(), "--client", "192.0.2.54", "--from", "<>",
                "--to", "user@example.org");
        assertThat(code).isZero();
        assertThat(out.toString()).contains("rule      " + rules + ":3: tempfail client 192.0.2.0/24")
                .contains("decision  tempfail\n").contains("reply     451 4.7.1 Relaying Denied")
                .contains("reason    client 192.0.2.0/24").contains("first match wins");
    }

    @Test
    void checkExplainsTheExceptionWithTrace() {
        run("check", "--rules", rules.toString(), "--client", "192.0.2.53", "--to", "user@example.org", "--trace");
        assertThat(out.toString()).contains(rules + ":2: MATCH accept client 192.0.2.53")
                .contains("decision  accept");
    }

    @Test
    void checkUsesTheReverseNameAndPretendedDnsbl() {
        run("check", "--rules", rules.toString(), "--client", "198.51.100.7", "--client-name",
                "ppp7.dialup.isp.example", "--from", "<>", "--to", "user@example.org");
        assertThat(out.toString()).contains("reason    EMS/RFMS via backup MX");
        out.getBuffer().setLength(0);
        run("check", "--rules", rules.toString(), "--client", "203.0.113.9", "--from", "a@b.example", "--to",
                "user@protected.example", "--listed", "zen.example=127.0.0.10", "--soft-bounce");
        assertThat(out.toString()).contains("decision  reject").contains("reply     450 4.7.1 Access denied");
    }

    @Test
    void checkAtConnectSaysTheRuleActsLater() {
        run("check", "--rules", rules.toString(), "--client", "192.0.2.9");
        assertThat(out.toString()).contains("decision  continue for now: the rule matches but acts at RCPT");
    }

    @Test
    void checkReportsRuleFileErrorsWithFileLineColumn() throws Exception {
        Files.writeString(rules, "tempfail from <>\n");
        assertThat(run("check", "--rules", rules.toString(), "--client", "192.0.2.9")).isEqualTo(2);
        assertThat(err.toString()).contains(rules + ":1:1: this rule would tempfail every null sender");
    }

    @Test
    void importListsWhatItCannotTranslate() throws Exception {
        Path access = dir.resolve("access");
        Files.writeString(access, "Connect:166.55.38\tERROR:4.7.1:451 Relaying Denied\nConnect:192.0.2.1\tDISCARD\n");
        assertThat(run("import", "--sendmail", access.toString())).isZero();
        assertThat(out.toString()).contains("tempfail with 451 4.7.1 \"Relaying Denied\" client 166.55.38.0/24");
        assertThat(err.toString()).contains("not translated: " + access + ":2:");
    }

    @Test
    void exportWritesACidrTable() {
        assertThat(run("export", "--rules", rules.toString(), "--postfix-cidr")).isZero();
        assertThat(out.toString()).contains("192.0.2.53/32\tOK\n192.0.2.0/24\t451 4.7.1 Relaying Denied\n");
        assertThat(err.toString()).contains("not translated: " + rules + ":4:");
    }
}
