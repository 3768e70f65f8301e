package org.mxguard.loganalysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.loganalysis.gen.LogGenerator;

/**
 * The two-stage join (parsing threads join their blocks, the calling thread what they hand on)
 * gives the statistics of the plainest join: every line through the string path, one Correlator,
 * in log order. Blocks are made small, so that many messages begin in one block and end in
 * another, and a line's block and thread vary from run to run.
 */
class TwoStageJoinTest {

    @TempDir
    Path dir;

    @Test
    void everyCorpusFileJoinsAsInOnePass() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(Path.of("src/test/resources/maillogs"))) {
            files = s.filter(Files::isRegularFile).filter(f -> !f.toString().endsWith(".gz")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThan(40);
        long messages = 0;
        for (Path f : files) {
            messages += assertSameJoin(f, 2005, 1 << 10, 2, BlockJoin.CLIENTS_KEPT);
            assertSameJoin(f, 2005, 1 << 10, 2, 2);
        }
        assertThat(messages).as("messages joined over the corpus").isGreaterThan(100);
    }

    @Test
    void generatedLogsJoinAsInOnePassWhateverTheBlockSizeAndThreads() throws IOException {
        for (String format : List.of("postfix", "sendmail")) {
            StringWriter backup = new StringWriter();
            StringWriter primary = new StringWriter();
            new LogGenerator(new LogGenerator.Config(format, 3 << 20, 11, 2026)).write(backup, primary);
            Path log = dir.resolve(format + ".log");
            Files.writeString(log, backup.toString(), StandardCharsets.ISO_8859_1);
            long messages = 0;
            for (int block : new int[] {300, 4096, 1 << 16}) {
                for (int threads : new int[] {1, 3}) {
                    messages = assertSameJoin(log, 2026, block, threads, BlockJoin.CLIENTS_KEPT);
                }
                // Threads that hand on their clients' statistics at almost every block.
                assertSameJoin(log, 2026, block, 2, 50);
            }
            assertThat(messages).as(format + " messages").isGreaterThan(3000);
        }
    }

    @Test
    void messagesSplitAcrossBlocksAndHostsJoinAsInOnePass() throws IOException {
        // Two hosts with the same queue ids, a deferred message logged again, a reject of a message
        // in flight, a message whose client line is in one block and its lines in the next.
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            String id = String.format("%05X%s", i % 37, i % 2 == 0 ? "A" : "B");
            String host = i % 3 == 0 ? "mx2" : "mx3";
            String ip = "198.51.100." + (i % 50);
            // The names change as the log goes on: the last one given must win.
            String name = "dyn-" + i % 50 + "-" + i / 120 + ".isp.example";
            String t = String.format("Oct  1 00:%02d:%02d %s ", (i / 60) % 60, i % 60, host);
            lines.add(t + "postfix/smtpd[1]: connect from " + name + "[" + ip + "]");
            lines.add(t + "postfix/smtpd[1]: " + id + ": client=" + name + "[" + ip + "]");
            lines.add(t + "postfix/qmgr[2]: " + id + ": from=<" + (i % 4 == 0 ? "" : "a@b.example")
                    + ">, size=10, nrcpt=2 (queue active)");
            // One client refused by more distinct rules than are reported, first met in different blocks.
            lines.add(t + "postfix/smtpd[1]: NOQUEUE: reject: RCPT from unknown[203.0.113.9]: 554 5.7.1 "
                    + "<u@protected.example>: Recipient address rejected: rule " + (i * 13) % 37 + "; from=<> "
                    + "to=<u@protected.example> proto=ESMTP helo=<x>");
            if (i % 3 == 0) {
                lines.add(t + "postfix/smtpd[1]: NOQUEUE: reject: RCPT from " + name + "[" + ip + "]: 554 5.7.1 "
                        + "<u@protected.example>: Recipient address rejected: policy " + (i * 7) % 41 + "; from=<"
                        + (i % 2 == 0 ? "" : "a@b.example") + "> to=<u@protected.example> proto=ESMTP helo=<x>");
            }
            if (i % 7 == 0) {
                lines.add(t + "postfix/cleanup[3]: " + id + ": milter-reject: END-OF-MESSAGE from x[" + ip
                        + "]: 5.7.1 spam; from=<> to=<u@protected.example> proto=ESMTP helo=<x>");
            }
            lines.add(t + "postfix/smtp[4]: " + id + ": to=<u@protected.example>, relay=mx1[192.0.2.10]:25, "
                    + "delay=1, delays=0/0/0/1, dsn=" + (i % 5 == 0 ? "4.0.0" : "2.0.0") + ", status="
                    + (i % 5 == 0 ? "deferred (try later)" : "sent (250 ok)"));
            if (i % 5 == 0) {
                lines.add(t + "postfix/qmgr[2]: " + id + ": from=<" + (i % 4 == 0 ? "" : "a@b.example")
                        + ">, size=10, nrcpt=2 (queue active)");
            }
            if (i % 11 != 0) {
                lines.add(t + "postfix/qmgr[2]: " + id + ": removed");
            }
            lines.add(t + "postfix/smtpd[1]: disconnect from " + name + "[" + ip + "] quit=1");
        }
        Path log = dir.resolve("crafted.log");
        Files.write(log, lines);
        for (int block : new int[] {200, 1000, 5000}) {
            for (int threads : new int[] {1, 2, 3}) {
                assertSameJoin(log, 2026, block, threads, BlockJoin.CLIENTS_KEPT);
                assertSameJoin(log, 2026, block, threads, 3);
            }
        }
    }

    @Test
    void localSubmissionsJoinAsInOnePassAndAreSettledByTheParsingThreads() throws IOException {
        // Sendmail messages submitted on the host (relay=user@localhost, relay=localhost: no network
        // client) among relayed ones, some reusing a relayed message's queue id while its last
        // recipient still waits, some split across blocks, some with a line the byte path leaves
        // to the string path (more fields than it keeps).
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String id = String.format("rA37ZT%08d", i % 23);
            String t = String.format("Oct  1 00:%02d:%02d mx2 sendmail[%d]: %s: ", (i / 60) % 60, i % 60, 100 + i, id);
            String ip = "198.51.100." + (i % 40);
            if (i % 3 == 0) {
                lines.add(t + "from=<a" + i + "@b.example>, size=10, class=0, nrcpts=2, msgid=<" + i
                        + "@b.example>, proto=ESMTP, daemon=MTA, relay=dyn-" + i % 40 + ".isp.example [" + ip + "]");
                lines.add(t + "to=<u@protected.example>, delay=00:00:01, mailer=esmtp, pri=120, relay=mx1 "
                        + "[192.0.2.10], dsn=2.0.0, stat=Sent (ok)");
                continue;
            }
            String extra = i % 17 == 0 ? ", a=1, b=2, c=3, d=4, e=5, f=6, g=7, h=8, i=9, j=10, k=11, l=12, m=13, "
                    + "n=14, o=15, p=16, q=17, r=18, s=19, u=20" : "";
            lines.add(t + "from=" + (i % 2 == 0 ? "root" : "<>") + ", size=300, class=0, nrcpts=2, msgid=<" + i
                    + ".local@mx2>" + extra + ", relay=" + (i % 4 == 1 ? "localhost" : "root@localhost"));
            lines.add(t + "to=postmaster, ctladdr=root (0/0), delay=00:00:00, xdelay=00:00:00, mailer=local, "
                    + "pri=30300, dsn=2.0.0, stat=Sent");
            if (i % 5 != 0) {
                lines.add(t + "to=<x@elsewhere.example>, delay=00:00:01, mailer=esmtp, pri=120, relay=mx1 "
                        + "[192.0.2.10], dsn=" + (i % 7 == 0 ? "4.0.0, stat=Deferred" : "2.0.0, stat=Sent (ok)"));
            }
            if (i % 7 == 0 && i % 5 != 0) {
                // A recipient deferred: the message ends with its queue run's done.
                lines.add(t + "done;");
            }
        }
        Path log = dir.resolve("local.log");
        Files.write(log, lines);
        for (int block : new int[] {300, 2000, 1 << 16}) {
            for (int threads : new int[] {1, 2, 3}) {
                assertSameJoin(log, 2026, block, threads, BlockJoin.CLIENTS_KEPT);
            }
        }
        // In one block, no line is handed on: only the messages still open at its end, relayed
        // ones and local ones (whose second recipient was never delivered).
        byte[] text = Files.readAllBytes(log);
        BlockJoin join = new BlockJoin();
        BlockJoin.Handoff handoff = new BlockJoin.Handoff();
        join.begin(0, handoff);
        new BlockParser(ZoneOffset.UTC, 2026, 12, new ParseCounters()).parse(text, text.length, join);
        join.end();
        assertThat(handoff.events).as("handed on").isNotEmpty()
                .allSatisfy(e -> assertThat(e).isInstanceOf(LogEvent.Carried.class));
        assertThat(join.messagesWithoutClient).isEqualTo(200);
    }

    @Test
    void aSendmailMessageWhoseRecipientsShareOneLineIsDoneThere() throws IOException {
        // Sendmail delivers the recipients that go to the same host in one connection and logs them on
        // one line, as a backup MX relaying to its primary does for every message: the line settles
        // all of them (a quoted local part's comma and a comma inside angle brackets separate none).
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String t = String.format("Oct  1 00:%02d:%02d mx2 sm-mta[%d]: rA37ZT%08d: ", (i / 60) % 60, i % 60,
                    100 + i, i);
            lines.add(t + "from=<>, size=10, class=0, nrcpts=3, msgid=<" + i + "@dial.example>, proto=SMTP, "
                    + "daemon=MTA, relay=usr" + i % 40 + "-dialup.dial.example [198.51.100." + i % 40 + "]");
            lines.add(t + "to=<a@protected.example>,\"Doe, J\"@protected.example,<b@protected.example>, "
                    + "delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=120, relay=mx1.protected.example. "
                    + "[192.0.2.10], dsn=2.0.0, stat=Sent (ok)");
        }
        Path log = dir.resolve("together.log");
        Files.write(log, lines);
        for (int block : new int[] {300, 1 << 16}) {
            assertSameJoin(log, 2026, block, 2, BlockJoin.CLIENTS_KEPT);
        }
        Correlator c = new Correlator(86400 * 7, 100_000);
        new ParallelScanner(ZoneOffset.UTC, 2026, 2).join(List.of(LogSource.of(log)), c, null);
        assertThat(c.pendingNow()).as("messages still waiting for an outcome").isZero();
        assertThat(c.clients().values().stream().mapToLong(s -> s.delivered).sum()).isEqualTo(600);
        assertThat(c.clients().values().stream().mapToLong(s -> s.recipients).sum()).isEqualTo(600);
    }

    /** Joins the file both ways, checks that they agree, and returns the messages counted. */
    private static long assertSameJoin(Path file, int year, int block, int threads, int clientsKept)
            throws IOException {
        byte[] text = Files.readAllBytes(file);
        List<LogEvent> events = new ArrayList<>();
        StringPath.parse(text, text.length, ZoneOffset.UTC, year, 12, new ParseCounters(), events);
        Correlator plain = new Correlator(86400 * 7, 100_000);
        events.forEach(plain::accept);

        Correlator twoStage = new Correlator(86400 * 7, 100_000);
        ParallelScanner scanner = new ParallelScanner(ZoneOffset.UTC, year, threads, block, clientsKept);
        scanner.join(List.of(LogSource.of(file)), twoStage, null);
        String what = file.getFileName() + " in blocks of " + block + " on " + threads + " threads keeping "
                + clientsKept + " clients";
        assertThat(scanner.errors).as(what).isEmpty();
        assertThat(describe(twoStage.clients())).as(what).isEqualTo(describe(plain.clients()));
        assertThat(days(twoStage)).as(what + ": days").isEqualTo(days(plain));
        assertThat(twoStage.messagesWithoutClient).as(what + ": messages without a client")
                .isEqualTo(plain.messagesWithoutClient);
        // Read as a primary MX's log, for its client addresses only: those of every event that names one.
        Set<String> addresses = new ParallelScanner(ZoneOffset.UTC, year, threads, block, clientsKept)
                .clientAddresses(List.of(LogSource.of(file)));
        assertThat(new TreeSet<>(addresses)).as(what + ": client addresses").isEqualTo(
                events.stream().map(LogEvent::clientIp).filter(Objects::nonNull).collect(Collectors.toCollection(
                        TreeSet::new)));
        return plain.clients().values().stream().mapToLong(c -> c.messages).sum();
    }

    private static Map<String, String> describe(Map<String, ClientStats> clients) {
        Map<String, String> out = new TreeMap<>();
        clients.forEach((ip, c) -> out.put(ip, "name=" + c.name + " connects=" + c.connects + " seen=" + c.seen
                + " messages=" + c.messages + " null=" + c.nullMessages + " recipients=" + c.recipients
                + " delivered=" + c.delivered + " deferred=" + c.deferred + " bounced=" + c.bounced + " rejects="
                + c.rejects + " nullRejects=" + c.nullRejects + " first=" + c.first + " last=" + c.last + " rules="
                + c.rules() + " loggedBy=" + c.loggedBy()));
        return out;
    }

    private static Map<Long, String> days(Correlator c) {
        Map<Long, String> out = new TreeMap<>();
        c.daily().forEach((day, counts) -> out.put(day, counts[0] + "/" + counts[1]));
        return out;
    }
}
