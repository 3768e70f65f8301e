package org.mxguard.loganalysis;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Steady-state cost of each stage on one thread, in MB per CPU second of that thread, so that a
 * loaded machine does not blur it: splitting blocks into lines, the syslog header, the full
 * parse, and parse plus the queue-id join; then the byte path ({@link BlockParser}) alone and with the join,
 * and the byte path into a {@link BlockJoin}, as the analyzer runs it. Not a test (no Test suffix); run by hand:
 * {@code java -cp target/test-classes:target/classes:target/lib/* org.mxguard.loganalysis.ParseThroughput FILE}.
 */
final class ParseThroughput {

    private ParseThroughput() {
    }

    public static void main(String[] args) throws IOException {
        Path file = Path.of(args[0]);
        double mb = Files.size(file) / 1048576.0;
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        for (int round = 1; round <= 4; round++) {
            List<String> stages = args.length > 1 ? List.of(args[1].split(","))
                    : List.of("split", "header", "parse", "parse+join", "bytes", "bytes+join", "blockjoin");
            for (String stage : stages) {
                long start = cpu.getCurrentThreadCpuTime();
                run(file, stage);
                double seconds = (cpu.getCurrentThreadCpuTime() - start) / 1e9;
                System.out.printf(Locale.ROOT, "round %d %-10s %6.2f CPU s %6.0f MB per CPU s%n", round, stage,
                        seconds, mb / seconds);
            }
        }
    }

    private static void run(Path file, String stage) throws IOException {
        SyslogHeader header = new SyslogHeader(ZoneOffset.UTC, 2026, 12);
        LineParser parser = new LineParser(ZoneOffset.UTC, 2026, 12, new ParseCounters());
        Correlator correlator = new Correlator(7 * 86400, 200_000);
        BlockParser.Recent recent = new BlockParser.Recent();
        BlockJoin blockJoin = new BlockJoin();
        BlockJoin.Handoff handoff = new BlockJoin.Handoff();
        long blockNumber = 0;
        List<LogEvent> events = new ArrayList<>();
        long sink = 0;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 18];
            int carry = 0;
            int read;
            while ((read = in.read(buf, carry, buf.length - carry)) > 0) {
                int length = carry + read;
                int last = length - 1;
                while (last >= 0 && buf[last] != '\n') {
                    last--;
                }
                boolean bytes = stage.startsWith("bytes") || stage.equals("blockjoin");
                String text = bytes ? "" : new String(buf, 0, last + 1, StandardCharsets.ISO_8859_1);
                // A parser per block, as ParallelScanner makes them, sharing the thread's recent clients.
                BlockParser blocks = new BlockParser(ZoneOffset.UTC, 2026, 12, new ParseCounters(), recent);
                if (stage.equals("blockjoin")) {
                    blockJoin.begin(blockNumber++ << 32, handoff);
                    blocks.parse(buf, last + 1, blockJoin);
                    blockJoin.end();
                    handoff.events.clear();
                } else if (bytes) {
                    blocks.parse(buf, last + 1, new EventList(events));
                }
                for (int at = 0; at <= last && !bytes;) {
                    int nl = text.indexOf('\n', at);
                    String line = text.substring(at, nl);
                    switch (stage) {
                        case "split" -> sink += line.length();
                        case "header" -> sink += header.parse(line) ? 1 : 0;
                        default -> parser.parse(line, events);
                    }
                    at = nl + 1;
                }
                if (stage.endsWith("+join")) {
                    events.forEach(correlator::accept);
                }
                events.clear();
                carry = length - last - 1;
                System.arraycopy(buf, last + 1, buf, 0, carry);
            }
        }
        if (sink == 42) {
            System.out.print("");
        }
    }
}
