package org.mxguard.loganalysis.gen;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * Writes realistic backup-MX logs (Postfix or sendmail) of any size with a planted EMS-style
 * campaign: null-sender mail from dial-up hosts that only ever talk to the backup, among
 * legitimate servers (some of which send bounces, and which also talk to the primary) and
 * legitimate end users next door to the spammers. Also writes the primary MX's log. The same
 * seed gives the same logs.
 *
 * <p>Planted sources: 198.18.10.0/24 and 198.18.11.0/24 ({@code .willowsprings.dialisp.example}
 * dial-ups, two mix subdomains), 198.19.200.0/24 ({@code .pool.cablenet.example}; 198.19.0.0/16 and
 * {@code cablenet.example} also hold legitimate senders), and unnamed hosts in 203.0.113.0/24,
 * which it shares with legitimate servers.
 */
public final class LogGenerator {

    /** What to write. */
    public record Config(String format, long bytes, long seed, int year) {
    }

    /** The answer key: what a correct analysis must propose and must never cover. */
    public record Truth(List<String> campaignAddresses, List<String> legitimateAddresses) {
    }

    private record Host(String name, String ip, boolean spam) {
    }

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.ENGLISH);
    private static final String HEX = "0123456789ABCDEF";

    private final Config config;
    private final SplittableRandom random;
    private final List<Host> legit = new ArrayList<>();
    private final List<Host> spam = new ArrayList<>();
    private final String daemon;
    private long queueCounter;

    public LogGenerator(Config config) {
        if (!config.format().equals("postfix") && !config.format().equals("sendmail")) {
            throw new IllegalArgumentException("format must be postfix or sendmail, not " + config.format());
        }
        this.config = config;
        this.random = new SplittableRandom(config.seed());
        this.daemon = config.format().equals("postfix") ? "postfix" : "sm-mta";
        Random names = new Random(config.seed());
        for (int i = 0; i < 400; i++) {
            int a = 20 + names.nextInt(180);
            if (a == 198 || a == 203) {
                a++;
            }
            String ip = a + "." + names.nextInt(256) + "." + names.nextInt(256) + "." + (1 + names.nextInt(254));
            if (i % 20 == 7) {
                // A few servers send over IPv6 (RFC 3849's documentation prefix).
                ip = "2001:db8:" + Integer.toHexString(i) + "::25";
            }
            legit.add(new Host((i % 3 == 0 ? "mail" : i % 3 == 1 ? "mx" : "smtp") + (i % 4) + ".company" + i
                    + ".example", ip, false));
        }
        // Legitimate neighbours of the campaign: the same /16 and the same registered domain.
        legit.add(new Host("mail.cablenet.example", "198.19.1.5", false));
        legit.add(new Host("smtp.cablenet.example", "198.19.1.6", false));
        legit.add(new Host("user-198-18-99-7.home.dialisp-business.example", "198.18.99.7", false));
        legit.add(new Host("usr99-dialup1.mix9.willowsprings.dialisp.example", "198.18.12.3", false));
        legit.add(new Host("mx.tenant.example", "203.0.113.10", false));
        legit.add(new Host("mail.dsl-company.example", "203.0.113.11", false));
        for (int i = 1; i <= 40; i++) {
            int net = i % 2 == 0 ? 10 : 11;
            spam.add(new Host("usr" + (10 + i) + "-dialup" + (40 + i) + ".mix" + (net - 9) + ".willowsprings.dialisp"
                    + ".example", "198.18." + net + "." + (i * 5), true));
        }
        for (int i = 1; i <= 25; i++) {
            spam.add(new Host("ppp-198-19-200-" + (i * 9) + ".pool.cablenet.example", "198.19.200." + (i * 9), true));
        }
        for (int i = 0; i < 6; i++) {
            spam.add(new Host(null, "203.0.113." + (130 + i * 7), true));
        }
    }

    public Truth truth() {
        return new Truth(spam.stream().map(Host::ip).toList(), legit.stream().map(Host::ip).toList());
    }

    /** Writes the backup MX log to {@code backup} and the primary's to {@code primary} (may be null). */
    public void write(Writer backup, Writer primary) throws IOException {
        LocalDateTime t = LocalDateTime.of(config.year(), 10, 1, 0, 0);
        long approxMessages = Math.max(100, config.bytes() / (config.format().equals("postfix") ? 900 : 560));
        double stepSeconds = 60.0 * 86400 / approxMessages;
        double clock = 0;
        long written = 0;
        StringBuilder b = new StringBuilder(4096);
        StringBuilder p = new StringBuilder(1024);
        while (written < config.bytes()) {
            clock += stepSeconds * random.nextDouble(0.2, 1.8);
            LocalDateTime now = t.plusSeconds((long) clock);
            String stamp = STAMP.format(now);
            b.setLength(0);
            p.setLength(0);
            int roll = random.nextInt(100);
            if (roll < 6) {
                Host h = spam.get(random.nextInt(spam.size()));
                message(b, stamp, h, "", random.nextInt(3) == 0);
            } else if (roll < 9) {
                scanner(b, stamp);
            } else {
                Host h = legit.get(random.nextInt(legit.size()));
                boolean bounce = random.nextInt(25) == 0;
                message(b, stamp, h, bounce ? "" : "user" + random.nextInt(900) + "@" + domainOf(h), false);
                if (primary != null) {
                    p.append(stamp).append(" mx1 postfix/smtpd[").append(2000 + random.nextInt(8000))
                            .append("]: connect from ").append(h.name()).append('[').append(h.ip()).append("]\n");
                    primary.append(p);
                }
            }
            backup.append(b);
            written += b.length();
        }
        backup.flush();
        if (primary != null) {
            primary.flush();
        }
    }

    private static String domainOf(Host h) {
        String n = h.name();
        return n.substring(n.indexOf('.') + 1);
    }

    private void message(StringBuilder b, String stamp, Host h, String sender, boolean deferred) {
        String qid = queueId();
        int pid = 1000 + random.nextInt(30000);
        String name = h.name() == null ? "unknown" : h.name();
        // Now and then a message to several recipients, and one the primary refuses (a 5xx: bounced).
        int rcpts = random.nextInt(8) == 0 ? 2 + random.nextInt(2) : 1;
        List<String> rcpt = new ArrayList<>(rcpts);
        for (int r = 0; r < rcpts; r++) {
            rcpt.add("u" + random.nextInt(5000) + "@protected.example");
        }
        boolean refused = !deferred && random.nextInt(30) == 0;
        int size = 800 + random.nextInt(40000);
        String msgid = "<" + Long.toHexString(random.nextLong()) + "@" + (h.name() == null ? "localhost" : name) + ">";
        if (daemon.equals("postfix")) {
            line(b, stamp, "postfix/smtpd", pid).append("connect from ").append(name).append('[').append(h.ip())
                    .append("]\n");
            line(b, stamp, "postfix/smtpd", pid).append(qid).append(": client=").append(name).append('[')
                    .append(h.ip()).append("]\n");
            line(b, stamp, "postfix/cleanup", pid + 1).append(qid).append(": message-id=").append(msgid).append('\n');
            line(b, stamp, "postfix/qmgr", 900).append(qid).append(": from=<").append(sender).append(">, size=")
                    .append(size).append(", nrcpt=").append(rcpts).append(" (queue active)\n");
            line(b, stamp, "postfix/smtpd", pid).append("disconnect from ").append(name).append('[').append(h.ip())
                    .append("] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5\n");
            for (String r : rcpt) {
                if (deferred) {
                    line(b, stamp, "postfix/smtp", pid + 2).append(qid).append(": to=<").append(r)
                            .append(">, relay=none, delay=30, delays=0.1/0/30/0, dsn=4.4.1, status=deferred (connect "
                                    + "to mx1.protected.example[192.0.2.10]:25: Connection timed out)\n");
                } else if (refused) {
                    line(b, stamp, "postfix/smtp", pid + 2).append(qid).append(": to=<").append(r)
                            .append(">, relay=mx1.protected.example[192.0.2.10]:25, delay=0.3, delays=0.1/0/0.1/0.1, "
                                    + "dsn=5.1.1, status=bounced (host mx1.protected.example[192.0.2.10] said: 550 "
                                    + "5.1.1 <").append(r).append(">: Recipient address rejected: User unknown (in "
                                    + "reply to RCPT TO command))\n");
                } else {
                    line(b, stamp, "postfix/smtp", pid + 2).append(qid).append(": to=<").append(r)
                            .append(">, relay=mx1.protected.example[192.0.2.10]:25, delay=0.4, delays=0.1/0/0.1/0.2, "
                                    + "dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as ").append(queueId())
                            .append(")\n");
                }
            }
            if (!deferred) {
                line(b, stamp, "postfix/qmgr", 900).append(qid).append(": removed\n");
            }
        } else {
            if (random.nextInt(4) == 0) {
                // No queue id yet, and no line the analysis reads: counted as skipped.
                line(b, stamp, "sm-mta", pid).append("STARTTLS=server, relay=").append(h.name() == null ? "" : name + " ")
                        .append('[').append(sendmailAddress(h)).append("], version=TLSv1.3, verify=NO, "
                                + "cipher=TLS_AES_256_GCM_SHA384, bits=256/256\n");
            }
            // Now and then a quoted local part (RFC 5321 section 4.1.2), which sendmail logs as given.
            String shown = !sender.isEmpty() && random.nextInt(20) == 0 ? "\"Sales, " + sender.replace("@", "\"@")
                    : sender;
            line(b, stamp, "sm-mta", pid).append(qid).append(": from=<").append(shown).append(">, size=").append(size)
                    .append(", class=0, nrcpts=").append(rcpts).append(", msgid=").append(msgid)
                    .append(", proto=ESMTP, daemon=MTA, relay=").append(h.name() == null ? "" : h.name() + " ")
                    .append('[').append(sendmailAddress(h)).append("]\n");
            // The recipients go to the same host, so sendmail delivers them together and logs one line.
            line(b, stamp, "sm-mta", pid + 1).append(qid).append(": to=<").append(String.join(">,<", rcpt))
                    .append(">, delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=").append(30000 + size)
                    .append(", relay=mx1.protected.example. [192.0.2.10], dsn=")
                    .append(deferred ? "4.0.0, stat=Deferred: Connection timed out with mx1.protected.example.\n"
                            : refused ? "5.1.1, stat=User unknown\n"
                            : "2.0.0, stat=Sent (Ok: queued as " + queueId() + ")\n");
            if (random.nextInt(12) == 0) {
                localSubmission(b, stamp);
            }
        }
    }

    /** A message submitted on the host (cron's mail to root): sendmail names no network client. */
    private void localSubmission(StringBuilder b, String stamp) {
        String qid = queueId();
        int pid = 1000 + random.nextInt(30000);
        int size = 400 + random.nextInt(4000);
        line(b, stamp, "sendmail", pid).append(qid).append(": from=root, size=").append(size)
                .append(", class=0, nrcpts=1, msgid=<").append(qid).append(".").append(pid)
                .append("@mx2.protected.example>, relay=root@localhost\n");
        if (random.nextInt(3) == 0) {
            // Handed to a local IMAP store over LMTP: no stat= (dsn= says it), then the queue run's done.
            line(b, stamp, "sm-mta", pid + 1).append(qid).append(": to=root, delay=00:00:00, xdelay=00:00:00, "
                    + "mailer=cyrusv2, pri=").append(30000 + size).append(", relay=localhost, dsn=2.0.0\n");
            line(b, stamp, "sm-mta", pid + 1).append(qid).append(": done; delay=00:00:00, ntries=1\n");
        } else {
            line(b, stamp, "sm-mta", pid + 1).append(qid).append(": to=root, ctladdr=root (0/0), delay=00:00:00, "
                    + "xdelay=00:00:00, mailer=local, pri=").append(30000 + size).append(", dsn=2.0.0, stat=Sent\n");
        }
    }

    private void scanner(StringBuilder b, String stamp) {
        String ip = (1 + random.nextInt(220)) + "." + random.nextInt(256) + "." + random.nextInt(256) + "."
                + random.nextInt(256);
        int pid = 1000 + random.nextInt(30000);
        if (daemon.equals("postfix")) {
            line(b, stamp, "postfix/smtpd", pid).append("connect from unknown[").append(ip).append("]\n");
            line(b, stamp, "postfix/smtpd", pid).append("NOQUEUE: reject: RCPT from unknown[").append(ip)
                    .append("]: 554 5.7.1 <x@elsewhere.example>: Relay access denied; from=<a@b.example> "
                            + "to=<x@elsewhere.example> proto=ESMTP helo=<").append(ip).append(">\n");
            line(b, stamp, "postfix/smtpd", pid).append("disconnect from unknown[").append(ip)
                    .append("] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4\n");
        } else {
            // The lines sendmail writes about clients that send no mail, as a real backup MX's log has them.
            switch (random.nextInt(10)) {
                case 3 -> line(b, stamp, "sm-mta", pid).append(queueId()).append(": [").append(ip)
                        .append("] did not issue MAIL/EXPN/VRFY/ETRN during connection to MTA\n");
                case 4 -> line(b, stamp, "sm-mta", pid).append(queueId()).append(": lost input channel from [")
                        .append(ip).append("] to MTA after rcpt\n");
                case 5 -> line(b, stamp, "sm-mta", pid).append("ruleset=check_relay, arg1=[").append(ip)
                        .append("], arg2=").append(ip).append(", relay=[").append(ip)
                        .append("], reject=550 5.7.1 Rejected: ").append(ip).append(" listed at dnsbl.example\n");
                case 6 -> line(b, stamp, "sm-mta", pid).append(queueId()).append(": [").append(ip)
                        .append("]: possible SMTP attack: command=AUTH, count=5\n");
                case 7 -> line(b, stamp, "sm-mta", pid).append(queueId()).append(": rejecting commands from [")
                        .append(ip).append("] due to pre-greeting traffic after 0 seconds\n");
                case 8 -> line(b, stamp, "sm-mta", pid).append(queueId()).append(": AUTH failure (LOGIN): "
                        + "authentication failure (-13) SASL(-13): authentication failure: checkpass failed, "
                        + "user=admin, relay=[").append(ip).append("]\n");
                case 9 -> line(b, stamp, "sm-mta", pid).append(queueId()).append(": [").append(ip)
                        .append("]: EXPN root [rejected]\n");
                default -> line(b, stamp, "sm-mta", pid).append(queueId())
                        .append(": ruleset=check_rcpt, arg1=<x@elsewhere.example>, relay=[").append(ip)
                        .append("], reject=550 5.7.1 <x@elsewhere.example>... Relaying denied\n");
            }
        }
    }

    /** A client's address as sendmail writes it between brackets: IPv6 with its {@code IPv6:} tag. */
    private static String sendmailAddress(Host h) {
        return h.ip().indexOf(':') >= 0 ? "IPv6:" + h.ip() : h.ip();
    }

    private StringBuilder line(StringBuilder b, String stamp, String program, int pid) {
        return b.append(stamp).append(" mx2 ").append(program).append('[').append(pid).append("]: ");
    }

    private String queueId() {
        long n = ++queueCounter * 2654435761L + config.seed();
        StringBuilder s = new StringBuilder(14);
        if (daemon.equals("postfix")) {
            for (int i = 0; i < 10; i++) {
                s.append(HEX.charAt((int) (n >>> (i * 4)) & 15));
            }
        } else {
            s.append("r").append((char) ('A' + (n & 15))).append(Long.toString(Math.abs(n) % 100_000_000_000L, 36)
                    .toUpperCase(Locale.ROOT));
            while (s.length() < 14) {
                s.append('0');
            }
        }
        return s.toString();
    }

    /** {@code generate.sh}'s entry: FORMAT SIZE BACKUP_OUT [PRIMARY_OUT [SEED [YEAR]]]. */
    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("usage: LogGenerator postfix|sendmail SIZE[K|M|G] BACKUP_LOG [PRIMARY_LOG [SEED [YEAR]]]");
            System.exit(2);
        }
        long size = parseSize(args[1]);
        long seed = args.length > 4 ? Long.parseLong(args[4]) : 1;
        int year = args.length > 5 ? Integer.parseInt(args[5]) : 2026;
        LogGenerator g = new LogGenerator(new Config(args[0], size, seed, year));
        try (BufferedWriter backup = Files.newBufferedWriter(Path.of(args[2]), StandardCharsets.ISO_8859_1);
                BufferedWriter primary = args.length > 3 ? Files.newBufferedWriter(Path.of(args[3]),
                        StandardCharsets.ISO_8859_1) : null) {
            g.write(backup, primary);
        }
    }

    static long parseSize(String s) {
        String u = s.toUpperCase(Locale.ROOT);
        long mult = u.endsWith("G") ? 1L << 30 : u.endsWith("M") ? 1L << 20 : u.endsWith("K") ? 1L << 10 : 1;
        return Long.parseLong(mult == 1 ? u : u.substring(0, u.length() - 1)) * mult;
    }

}
