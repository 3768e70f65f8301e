package org.mxguard.policy;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Decisions per second on one core against the generated rule file (bench/policy/run.sh makes it:
 * 1,000,000 CIDR rules and 100,000 domain rules), and the time to load that file.
 */
@State(Scope.Benchmark)
public class PolicyDecisionBenchmark {

    @Param("target/policy-bench")
    public String dir;

    private RulesEngine engine;
    private Path queryFile;

    /** Each benchmark thread's own stream of queries. */
    @State(Scope.Thread)
    public static class Cursor {
        PolicyBenchInputs.QueryStream queries;
        final PolicyQuery[] session = new PolicyQuery[4];

        @Setup(Level.Trial)
        public void open(PolicyDecisionBenchmark bench) throws Exception {
            queries = PolicyBenchInputs.queries(bench.queryFile, 1 << 20);
        }
    }

    @Setup(Level.Trial)
    public void load() throws Exception {
        RuleSet set = RuleSet.load(Path.of(dir, "rules.rules"), PolicySettings.DEFAULTS);
        engine = PolicyBenchInputs.engine(set);
        queryFile = Path.of(dir, "queries.txt");
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Threads(1)
    public Decision decide(Cursor cursor) {
        return engine.decide(cursor.queries.next());
    }

    /**
     * Decisions per second when asked the way an SMTP session asks: CONNECT, HELO, MAIL and RCPT
     * for each client, so four decisions per client, the last three about a client whose rules the
     * first one just brought into cache.
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(4)
    @Threads(1)
    public void decideSessions(Cursor cursor, Blackhole decisions) {
        PolicyQuery[] session = cursor.session;
        cursor.queries.nextSession(session);
        decisions.consume(engine.decide(session[0]));
        decisions.consume(engine.decide(session[1]));
        decisions.consume(engine.decide(session[2]));
        decisions.consume(engine.decide(session[3]));
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public RuleSet loadRules() throws Exception {
        return RuleSet.load(Path.of(dir, "rules.rules"), PolicySettings.DEFAULTS);
    }
}
