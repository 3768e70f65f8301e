package org.mxguard.demo;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.mxguard.policy.Cidr;

/**
 * The demo's senders, each from its own loopback address (Linux answers on all of 127.0.0.0/8):
 *
 * <ul>
 * <li>an EMS-style campaign: the null sender, from dial-up pools (127.66.1.0/24 and 127.66.2.0/24,
 * named {@code dialup-N.poolP.isp.example}), straight to the backup MX, never the primary, each
 * message to a new recipient and never offered again after a refusal;</li>
 * <li>partners (127.20.0.0/24) that deliver to the primary, as the MX order says;</li>
 * <li>shops (127.20.1.0/24) that the busy primary turns away with 421: they fall back to the
 * backup, which knows from the primary's log that they tried the primary first;</li>
 * <li>a host with a stale route (127.20.2.0/24) that goes to the backup first: it is refused
 * with 451 and, like any real MTA, retries the same message later, which earns it retry credit.</li>
 * </ul>
 *
 * <p>A legitimate sender refused with a 4xx retries after the retry interval, so its mail is
 * never lost. The rates are the demo's, a few messages a second: enough to see every path within
 * a minute, little enough to run on any laptop.
 */
public final class DemoTraffic implements AutoCloseable {

    /** The domain the demo's backup MX protects. */
    public static final String DOMAIN = "demo.example";
    /** The clients the demo's primary is too busy for. */
    public static final Cidr BUSY = Cidr.parse("127.20.1.0/24");

    private final int backupPort;
    private final int primaryPort;
    private final Duration retryAfter;
    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2,
            Thread.ofVirtual().name("demo-traffic-", 1).factory());
    private final AtomicLong sequence = new AtomicLong();
    private final LongAdder campaignTried = new LongAdder();
    private final LongAdder campaignTempfailed = new LongAdder();
    private final LongAdder campaignAccepted = new LongAdder();
    private final LongAdder legitSent = new LongAdder();
    private final LongAdder legitDirect = new LongAdder();
    private final LongAdder legitTempfailed = new LongAdder();
    private final LongAdder failures = new LongAdder();
    /** Legitimate Message-IDs the backup took; each should reach the primary by relay. */
    private final ConcurrentHashMap.KeySetView<String, Boolean> viaBackup = ConcurrentHashMap.newKeySet();
    /** Legitimate messages refused and waiting for their retry. */
    private final ConcurrentHashMap.KeySetView<String, Boolean> waiting = ConcurrentHashMap.newKeySet();
    private volatile boolean stopped;

    /**
     * @param retryAfter how long a legitimate sender waits after a 4xx (a little more than the
     *     MX-skip rule's retry interval, as a real MTA's backoff is)
     */
    public DemoTraffic(int backupPort, int primaryPort, Duration retryAfter) {
        this.backupPort = backupPort;
        this.primaryPort = primaryPort;
        this.retryAfter = retryAfter;
    }

    /** The names the demo's clients would have in DNS, for the backup's and the primary's lookups. */
    public static String nameOf(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length != 4 || b[0] != 127) {
            return "unknown";
        }
        int host = b[3] & 0xff;
        return switch ((b[1] & 0xff) + "." + (b[2] & 0xff)) {
            case "66.1", "66.2" -> "dialup-" + host + ".pool" + (b[2] & 0xff) + ".isp.example";
            case "20.0" -> "mta" + host + ".partner.example";
            case "20.1" -> "mail" + host + ".shop.example";
            case "20.2" -> "mx" + host + ".stale-route.example";
            default -> "unknown";
        };
    }

    /** Starts every sender; they run until {@link #close}. */
    public void start() {
        timer.scheduleAtFixedRate(this::campaign, 0, 300, TimeUnit.MILLISECONDS);
        timer.scheduleAtFixedRate(() -> legit("127.20.0.", 4, false), 200, 2000, TimeUnit.MILLISECONDS);
        timer.scheduleAtFixedRate(() -> legit("127.20.1.", 3, false), 1000, 5000, TimeUnit.MILLISECONDS);
        timer.scheduleAtFixedRate(() -> legit("127.20.2.", 2, true), 1500, 9000, TimeUnit.MILLISECONDS);
    }

    private void campaign() {
        long n = sequence.incrementAndGet();
        // twelve hosts of each pool take turns, as dial-up customers running the same spamware
        String from = "127.66." + (1 + n % 2) + "." + (10 + (n / 2) % 12);
        String messageId = "<ems-" + n + "@dialup.isp.example>";
        int code;
        try {
            // A recipient never offered before: the spamware works down its list and never comes back
            // with the same sender and recipient, which a real MTA's retry would (and earn credit).
            code = DemoClient.send(address(from), backupPort, "pc" + n % 97, "", "user" + n + "@" + DOMAIN, messageId);
        } catch (IOException e) {
            failures.increment();
            return;
        }
        // counted once the try has ended, so that tried = tempfailed + accepted + the rest at any moment
        if (code == 250) {
            campaignAccepted.increment();
        } else if (code / 100 == 4) {
            campaignTempfailed.increment();
        }
        campaignTried.increment();
    }

    /**
     * A new legitimate message from one of {@code hosts} hosts of {@code network}.
     *
     * @param staleRoute true for a sender that cannot reach the primary and goes to the backup
     */
    private void legit(String network, int hosts, boolean staleRoute) {
        long n = sequence.incrementAndGet();
        String from = network + (1 + n % hosts);
        String host = nameOf(address(from));
        String domain = host.substring(host.indexOf('.') + 1);
        String sender = "news@" + domain;
        String messageId = "<legit-" + n + "@" + domain + ">";
        legitSent.increment();
        deliver(new Message(from, sender, "user" + n % 50 + "@" + DOMAIN, messageId, staleRoute));
    }

    /** One try along the MX order: the primary (unless the route to it is stale), then the backup. */
    private void deliver(Message m) {
        if (stopped) {
            return;
        }
        if (m.staleRoute()) {
            backup(m);
            return;
        }
        try {
            InetAddress from = address(m.from());
            int code = DemoClient.send(from, primaryPort, nameOf(from), m.sender(), m.recipient(), m.messageId());
            if (code == 250) {
                legitDirect.increment();
                waiting.remove(m.messageId());
                return;
            }
            // The next MX a second later: the time the primary's log line takes to reach the
            // backup here (the primary's Postfix asking mxguard's policy service would take none).
            timer.schedule(() -> backup(m), 1, TimeUnit.SECONDS);
        } catch (IOException e) {
            failures.increment();
        }
    }

    private void backup(Message m) {
        if (stopped) {
            return;
        }
        try {
            InetAddress from = address(m.from());
            int code = DemoClient.send(from, backupPort, nameOf(from), m.sender(), m.recipient(), m.messageId());
            if (code == 250) {
                viaBackup.add(m.messageId());
                waiting.remove(m.messageId());
            } else if (code / 100 == 4) {
                legitTempfailed.increment();
                waiting.add(m.messageId());
                timer.schedule(() -> deliver(m), retryAfter.toMillis(), TimeUnit.MILLISECONDS);
            } else {
                failures.increment();
            }
        } catch (IOException e) {
            failures.increment();
        }
    }

    private static InetAddress address(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    /** The counts so far; {@code reachedPrimary} says which Message-IDs the primary has. */
    public Tally tally(java.util.function.Predicate<String> reachedPrimary) {
        List<String> relayed = viaBackup.stream().filter(reachedPrimary).toList();
        return new Tally(campaignTried.sum(), campaignTempfailed.sum(), campaignAccepted.sum(), legitSent.sum(),
                legitDirect.sum(), viaBackup.size(), relayed.size(), legitTempfailed.sum(), waiting.size(),
                failures.sum());
    }

    /**
     * What the senders saw.
     *
     * @param campaignTried messages the campaign offered the backup and got an answer for
     * @param campaignTempfailed of those, refused with a 4xx
     * @param campaignAccepted of those, taken (0 while the skip detection works)
     * @param legitSent legitimate messages written
     * @param legitDirect delivered straight to the primary
     * @param legitViaBackup taken by the backup
     * @param legitRelayed of those, already at the primary
     * @param legitTempfailed 4xx refusals of legitimate tries (each retried)
     * @param legitWaiting legitimate messages refused and not yet retried with success
     * @param failures tries that broke off (connection errors, 5xx)
     */
    public record Tally(long campaignTried, long campaignTempfailed, long campaignAccepted, long legitSent,
            long legitDirect, long legitViaBackup, long legitRelayed, long legitTempfailed, long legitWaiting,
            long failures) {
    }

    private record Message(String from, String sender, String recipient, String messageId, boolean staleRoute) {
    }

    /** Stops the senders; tries under way end, retries not yet due are dropped. */
    @Override
    public void close() throws InterruptedException {
        stopped = true;
        timer.shutdownNow();
        timer.awaitTermination(30, TimeUnit.SECONDS);
    }
}
