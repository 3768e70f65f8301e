package org.mxguard.policy;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.mxguard.mail.MailAddress;

/**
 * Reads the inputs bench/policy/generate.py writes, for the JMH benchmark and the report.
 *
 * <p>Queries are kept as primitive arrays and each {@link PolicyQuery} is built when it is asked
 * for, as a session builds it from what it just read: otherwise the benchmark would mostly measure
 * cache misses on a quarter of a million stored query objects, which no session has.
 */
final class PolicyBenchInputs {

    private static final MailAddress RECIPIENT = MailAddress.of("user", "protected.example");
    private static final MailAddress SENDER = MailAddress.of("someone", "sender.example");
    private static final String HELO = "client.example";

    /** A cyclic stream of queries, RCPT stage, half of them from the null sender. */
    static final class QueryStream {
        private final byte[][] addresses;
        private final int[] names;
        private final String[] namePool;
        private int next;

        QueryStream(byte[][] addresses, int[] names, String[] namePool) {
            this.addresses = addresses;
            this.names = names;
            this.namePool = namePool;
        }

        int size() {
            return addresses.length;
        }

        PolicyQuery next() {
            int i = next;
            next = i + 1 == addresses.length ? 0 : i + 1;
            return new PolicyQuery(Stage.RCPT, address(i), namePool[names[i]], HELO,
                    (i & 1) == 0 ? MailAddress.NULL_SENDER : SENDER, RECIPIENT);
        }

        /**
         * The next client's four questions in the order a session asks them (smtp's PolicyGate):
         * CONNECT, HELO, MAIL, RCPT, all with the same address and name, which the session looked
         * up once; sender and recipient as {@link #next} would give them for this client.
         */
        void nextSession(PolicyQuery[] out) {
            int i = next;
            next = i + 1 == addresses.length ? 0 : i + 1;
            InetAddress a = address(i);
            String name = namePool[names[i]];
            MailAddress sender = (i & 1) == 0 ? MailAddress.NULL_SENDER : SENDER;
            out[0] = new PolicyQuery(Stage.CONNECT, a, name, null, null, null);
            out[1] = new PolicyQuery(Stage.HELO, a, name, HELO, null, null);
            out[2] = new PolicyQuery(Stage.MAIL, a, name, HELO, sender, null);
            out[3] = new PolicyQuery(Stage.RCPT, a, name, HELO, sender, RECIPIENT);
        }

        private InetAddress address(int i) {
            try {
                return InetAddress.getByAddress(addresses[i].clone());
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private PolicyBenchInputs() {
    }

    static QueryStream queries(Path file, int limit) throws IOException {
        List<byte[]> addresses = new ArrayList<>();
        List<Integer> names = new ArrayList<>();
        Map<String, Integer> pool = new HashMap<>();
        List<String> poolList = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file)) {
            String line;
            while ((line = in.readLine()) != null && addresses.size() < limit) {
                String[] parts = line.split(" ");
                addresses.add(Cidr.parse(parts[0]).address().getAddress());
                // Names repeat in real traffic and a session holds the one it looked up: a pool.
                String name = parts[1];
                if (!pool.containsKey(name) && pool.size() >= 4096) {
                    name = "unknown";
                }
                Integer id = pool.get(name);
                if (id == null) {
                    id = poolList.size();
                    pool.put(name, id);
                    poolList.add(name);
                }
                names.add(id);
            }
        }
        return new QueryStream(addresses.toArray(new byte[0][]), names.stream().mapToInt(Integer::intValue).toArray(),
                poolList.toArray(new String[0]));
    }

    static RulesEngine engine(RuleSet set) {
        RuleSource source = new RuleSource() {
            @Override
            public String name() {
                return set.name();
            }

            @Override
            public RuleSet current() {
                return set;
            }
        };
        return new RulesEngine(List.of(source), PolicySettings.DEFAULTS, DnsblLookup.NONE, Clock.systemUTC());
    }
}
