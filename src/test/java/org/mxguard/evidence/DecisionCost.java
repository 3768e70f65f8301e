package org.mxguard.evidence;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.mxguard.mail.MailAddress;
import org.mxguard.maillog.LogSink;
import org.mxguard.maillog.MailLog;
import org.mxguard.policy.PolicyQuery;
import org.mxguard.policy.PolicySettings;
import org.mxguard.policy.Stage;

/**
 * The CPU time of one MX-skip decision on each path, measured as the thread's own CPU time, so a
 * busy machine does not inflate it (wall-clock benchmarks there count time spent waiting for a
 * core). Run by bench/evidence/run.sh: {@code DecisionCost CLIENTS}.
 */
final class DecisionCost {

    private DecisionCost() {
    }

    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Path dir = Files.createTempDirectory("mxguard-decision-cost");
        Clock clock = Clock.systemUTC();
        try (EmbeddedStore store = EmbeddedStore.open(StoreSettings.defaults(dir), clock)) {
            MxSkip mx = MxSkip.assemble(MxSkipSettings.defaults().withMode(MxSkipSettings.Mode.ENFORCE), store,
                    PrimaryHealth.ALWAYS_UP, d -> "mx1.test", PolicySettings.DEFAULTS, "bench.test",
                    new MailLog("bench.test", "mxguard", clock, LogSink.DISCARD), clock);
            Instant now = Instant.now();
            for (int i = 0; i < clients; i++) {
                store.record(new PrimaryContact(address(10, i), "unknown", null, false, "mx1.test", now,
                        PrimaryContact.Source.POLICY_SERVICE));
                if (i % 10 == 0) {
                    store.grantCredit(address(11, i), now.plus(Duration.ofDays(7)));
                }
            }
            store.flush();
            MailAddress to = MailAddress.of("user", "protected.test");
            MailAddress from = MailAddress.of("sender", "client.test");
            String[] names = {"seen at a primary", "retry credit", "refused (spam source, 50,000 addresses)"};
            for (int round = 0; round < 3; round++) {
                for (int path = 0; path < 3; path++) {
                    PolicyQuery[] qs = new PolicyQuery[1 << 18];
                    for (int q = 0; q < qs.length; q++) {
                        int i = (int) (Math.random() * clients);
                        InetAddress a = path == 0 ? address(10, i) : path == 1 ? address(11, i - i % 10)
                                : address(12, i % 50_000);
                        qs[q] = new PolicyQuery(Stage.RCPT, a, "unknown", "client.test", from, to);
                    }
                    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
                    long cpu0 = threads.getCurrentThreadCpuTime();
                    int n = 2_000_000;
                    long sink = 0;
                    for (int k = 0; k < n; k++) {
                        sink += mx.rule().decide(qs[k & (qs.length - 1)]).hashCode();
                    }
                    long cpu = threads.getCurrentThreadCpuTime() - cpu0;
                    if (round == 2) {
                        System.out.printf("%-42s %8.0f ns CPU per decision (%d)%n", names[path], (double) cpu / n,
                                sink & 1);
                    }
                }
            }
            mx.close();
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static InetAddress address(int first, int i) throws Exception {
        return InetAddress.getByAddress(new byte[] {(byte) first, (byte) (i >>> 16), (byte) (i >>> 8), (byte) i});
    }
}
