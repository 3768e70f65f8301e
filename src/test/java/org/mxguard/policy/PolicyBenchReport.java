package org.mxguard.policy;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.mxguard.mail.Reply;

/**
 * bench/policy/run.sh's measurements besides JMH: load time, heap per rule, and mxguard's answers
 * for the queries given to {@code postmap -q - cidr:...}, in postmap's output form, so the script
 * can check that both agree before comparing their speed.
 *
 * <p>Usage: PolicyBenchReport DIR (writes DIR/mxguard-answers.txt, prints a summary).
 */
public final class PolicyBenchReport {

    private PolicyBenchReport() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        PrintStream out = System.out;
        long before = usedHeapAfterGc();
        var threads = ManagementFactory.getThreadMXBean();
        long start = System.nanoTime();
        long cpuStart = threads.getCurrentThreadCpuTime();
        RuleSet set = RuleSet.load(dir.resolve("rules.rules"), PolicySettings.DEFAULTS);
        long loadNanos = System.nanoTime() - start;
        long loadCpu = threads.getCurrentThreadCpuTime() - cpuStart;
        long after = usedHeapAfterGc();
        out.printf("rules %d%n", set.size());
        out.printf("load_ms %d%n", loadNanos / 1_000_000);
        out.printf("load_cpu_ms %d%n", loadCpu / 1_000_000);
        out.printf("heap_bytes_per_rule %.1f%n", (after - before) / (double) set.size());
        out.printf("index_bytes_per_rule %.1f%n", set.approximateBytes() / (double) set.size());

        RulesEngine engine = PolicyBenchInputs.engine(set);
        List<String> addresses = Files.readAllLines(dir.resolve("postmap.txt"));
        StringBuilder answers = new StringBuilder();
        for (String a : addresses) {
            Decision d = engine.decide(new PolicyQuery(Stage.RCPT, Cidr.parse(a).address(), "unknown", "h.example",
                    org.mxguard.mail.MailAddress.of("a", "b.example"),
                    org.mxguard.mail.MailAddress.of("user", "protected.example")));
            String value = switch (d) {
                case Decision.Accept x -> "OK";
                case Decision.Tempfail t -> text(t.reply());
                case Decision.Reject r -> text(r.reply());
                default -> null;
            };
            if (value != null) {
                answers.append(a).append('\t').append(value).append('\n');
            }
        }
        Files.writeString(dir.resolve("mxguard-answers.txt"), answers);

        // A quick single-thread rate outside JMH, as a cross-check of its number.
        PolicyBenchInputs.QueryStream qs = PolicyBenchInputs.queries(dir.resolve("queries.txt"), 1 << 20);
        long hits = 0;
        for (int round = 0; round < 3; round++) {
            long t0 = System.nanoTime();
            long c0 = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < 4_000_000; i++) {
                if (engine.decide(qs.next()) != Decision.CONTINUE) {
                    hits++;
                }
            }
            long c1 = threads.getCurrentThreadCpuTime();
            long t1 = System.nanoTime();
            out.printf("loop_decisions_per_s %.0f (per CPU-second of this thread: %.0f)%n",
                    4_000_000 / ((t1 - t0) / 1e9), 4_000_000 / ((c1 - c0) / 1e9));
        }
        out.printf("hit_fraction %.3f%n", hits / 12_000_000.0);
    }

    private static String text(Reply r) {
        return r.code() + " " + r.status() + " " + r.lines().getFirst();
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
