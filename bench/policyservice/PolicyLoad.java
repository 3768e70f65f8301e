import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;

/**
 * A load generator for Postfix policy delegation services (SMTPD_POLICY_README): many persistent
 * connections, each sending PIPELINE requests at once and reading their answers, for a fixed time.
 * The requests carry the attributes Postfix 3.7's smtpd sends, with client addresses, senders and
 * recipients that vary as real traffic does. Latency is from the write of a request's batch to the
 * read of its answer. Single-file source: run with {@code java PolicyLoad.java --port 10040}.
 *
 * <pre>
 * --host 127.0.0.1 --port N --connections 50 --pipeline 1 --seconds 10 --warmup 3 [--rate R] [--clients C]
 * </pre>
 * {@code --clients} is how many distinct client addresses the requests come from (default 2^24:
 * nearly every request a new client, the worst case for whatever the service remembers).
 * Without {@code --rate}, each connection sends its next batch as soon as the last is answered (the
 * most the service can answer). With it, the connections together send R requests per second on a
 * fixed schedule, and a request's latency counts from when it was due, not from when it could be
 * sent, so that a stalled service is not excused by the requests it kept from being sent
 * (coordinated omission).
 * Prints one line: requests, seconds, requests/s, latency p50/p99/p99.9/max in microseconds,
 * errors, and the answers seen by action.
 */
public class PolicyLoad {

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new TreeMap<>(Map.of("host", "127.0.0.1", "connections", "50",
                "pipeline", "1", "seconds", "10", "warmup", "3", "rate", "0", "clients", "16777216"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        if (!options.containsKey("port")) {
            System.err.println("usage: java PolicyLoad.java --port N [--host H] [--connections C] [--pipeline P] "
                    + "[--seconds S] [--warmup W]");
            System.exit(2);
        }
        InetSocketAddress target = new InetSocketAddress(options.get("host"), Integer.parseInt(options.get("port")));
        int connections = Integer.parseInt(options.get("connections"));
        int pipeline = Integer.parseInt(options.get("pipeline"));
        long warmupNanos = (long) (Double.parseDouble(options.get("warmup")) * 1e9);
        long measureNanos = (long) (Double.parseDouble(options.get("seconds")) * 1e9);
        double rate = Double.parseDouble(options.get("rate"));
        Worker.clients = Long.parseLong(options.get("clients"));
        // Each connection's interval between batches, for the requested total rate.
        long intervalNanos = rate <= 0 ? 0 : (long) (1e9 * connections * pipeline / rate);

        List<Worker> workers = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(connections);
        long start = System.nanoTime();
        long measureFrom = start + warmupNanos;
        long measureUntil = measureFrom + measureNanos;
        for (int c = 0; c < connections; c++) {
            Worker worker = new Worker(target, c, pipeline, measureFrom, measureUntil, intervalNanos,
                    start + intervalNanos * c / connections);
            workers.add(worker);
            Thread.ofPlatform().name("load-" + c).start(() -> {
                try {
                    worker.run();
                } finally {
                    done.countDown();
                }
            });
        }
        done.await();
        long total = 0;
        long errors = 0;
        int size = 0;
        Map<String, Long> actions = new TreeMap<>();
        for (Worker w : workers) {
            size += w.count;
            errors += w.errors;
            w.actions.forEach((k, v) -> actions.merge(k, v, Long::sum));
        }
        long[] latencies = new long[size];
        int at = 0;
        for (Worker w : workers) {
            System.arraycopy(w.latencies, 0, latencies, at, w.count);
            at += w.count;
        }
        total = size;
        Arrays.sort(latencies);
        double seconds = measureNanos / 1e9;
        System.out.printf("requests=%d seconds=%.1f rate=%.0f p50_us=%d p99_us=%d p999_us=%d max_us=%d errors=%d "
                + "connections=%d pipeline=%d target_rate=%.0f actions=%s%n", total, seconds, total / seconds, percentile(latencies, 0.50),
                percentile(latencies, 0.99), percentile(latencies, 0.999),
                latencies.length == 0 ? 0 : latencies[latencies.length - 1] / 1000, errors, connections, pipeline,
                rate, actions);
    }

    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1000;
    }

    static final class Worker {
        static long clients = 1 << 24;
        final InetSocketAddress target;
        final int id;
        final int pipeline;
        final long measureFrom;
        final long measureUntil;
        long[] latencies = new long[1 << 16];
        int count;
        long errors;
        final Map<String, Long> actions = new TreeMap<>();
        long sequence;
        final long interval;
        long due;

        Worker(InetSocketAddress target, int id, int pipeline, long measureFrom, long measureUntil, long interval,
                long firstDue) {
            this.interval = interval;
            this.due = firstDue;
            this.target = target;
            this.id = id;
            this.pipeline = pipeline;
            this.measureFrom = measureFrom;
            this.measureUntil = measureUntil;
        }

        void run() {
            while (System.nanoTime() < measureUntil) {
                try (Socket socket = new Socket()) {
                    socket.setTcpNoDelay(true);
                    socket.connect(target, 10_000);
                    socket.setSoTimeout(30_000);
                    OutputStream out = socket.getOutputStream();
                    InputStream in = new BufferedInputStream(socket.getInputStream(), 8192);
                    StringBuilder batch = new StringBuilder(2048 * pipeline);
                    while (System.nanoTime() < measureUntil) {
                        batch.setLength(0);
                        for (int i = 0; i < pipeline; i++) {
                            request(batch, sequence++);
                        }
                        long sent;
                        if (interval > 0) {
                            long now = System.nanoTime();
                            if (now < due) {
                                LockSupport.parkNanos(due - now);
                            }
                            sent = due;
                            due += interval;
                        } else {
                            sent = System.nanoTime();
                        }
                        out.write(batch.toString().getBytes(StandardCharsets.UTF_8));
                        out.flush();
                        for (int i = 0; i < pipeline; i++) {
                            String action = answer(in);
                            long now = System.nanoTime();
                            if (action == null) {
                                throw new IOException("connection closed by the server");
                            }
                            if (now >= measureFrom && now < measureUntil) {
                                record(now - sent);
                                String kind = action.split(" ", 2)[0];
                                actions.merge(kind, 1L, Long::sum);
                            }
                        }
                    }
                } catch (IOException e) {
                    errors++;
                    if (errors <= 3) {
                        System.err.println("connection " + id + ": " + e);
                    }
                    if (errors > 100) {
                        return;
                    }
                }
            }
        }

        void record(long nanos) {
            if (count == latencies.length) {
                latencies = Arrays.copyOf(latencies, count * 2);
            }
            latencies[count++] = nanos;
        }

        /** Postfix 3.7's attributes for RCPT, with a client per (connection, sequence) out of 2^24. */
        void request(StringBuilder out, long n) {
            long client = Math.floorMod(id * 7919L + n * 104729L, clients);
            String address = "10." + (client >> 16) + "." + ((client >> 8) & 255) + "." + (client & 255);
            boolean nullSender = n % 5 == 0;
            out.append("request=smtpd_access_policy\n")
                    .append("protocol_state=RCPT\n")
                    .append("protocol_name=ESMTP\n")
                    .append("client_address=").append(address).append('\n')
                    .append("client_name=").append(n % 3 == 0 ? "unknown" : "host-" + client + ".isp.example").append('\n')
                    .append("client_port=").append(40000 + (n % 20000)).append('\n')
                    .append("reverse_client_name=host-").append(client).append(".isp.example\n")
                    .append("server_address=127.0.0.1\n")
                    .append("server_port=25\n")
                    .append("helo_name=mta").append(client % 1000).append(".isp.example\n")
                    .append("sender=").append(nullSender ? "" : "user" + (n % 997) + "@sender.example").append('\n')
                    .append("recipient=rcpt").append(n % 101).append("@example.org\n")
                    .append("recipient_count=0\n")
                    .append("queue_id=\n")
                    .append("instance=").append(Long.toHexString(id)).append('.').append(Long.toHexString(n)).append(".0\n")
                    .append("size=0\n")
                    .append("etrn_domain=\n")
                    .append("stress=\n")
                    .append("sasl_method=\n")
                    .append("sasl_username=\n")
                    .append("sasl_sender=\n")
                    .append("ccert_subject=\n")
                    .append("ccert_issuer=\n")
                    .append("ccert_fingerprint=\n")
                    .append("ccert_pubkey_fingerprint=\n")
                    .append("encryption_protocol=\n")
                    .append("encryption_cipher=\n")
                    .append("encryption_keysize=0\n")
                    .append("policy_context=\n")
                    .append('\n');
        }

        /** Reads "action=...\n" and the empty line; the action, or null at the end of the stream. */
        static String answer(InputStream in) throws IOException {
            StringBuilder line = new StringBuilder(32);
            String action = null;
            while (true) {
                int b = in.read();
                if (b < 0) {
                    return null;
                }
                if (b != '\n') {
                    line.append((char) b);
                    continue;
                }
                if (line.isEmpty()) {
                    if (action == null) {
                        throw new IOException("empty answer");
                    }
                    return action;
                }
                String text = line.toString();
                if (text.startsWith("action=")) {
                    action = text.substring("action=".length());
                }
                line.setLength(0);
            }
        }
    }
}
