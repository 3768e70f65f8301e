package org.mxguard.evidence;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Run as a separate JVM by {@link EmbeddedStoreKillIT}: records contacts, credits and blocks as fast
 * as it can and prints "flushed N" each time the first N contacts are durable, until it is killed.
 */
final class EvidenceCrashDriver {

    private EvidenceCrashDriver() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int start = Integer.parseInt(args[1]);
        StoreSettings settings = new StoreSettings(dir, 32, 128, Duration.ofDays(7), Duration.ofDays(5),
                Duration.ofDays(2), Duration.ofMillis(5));
        Clock clock = Clock.systemUTC();
        EmbeddedStore store = EmbeddedStore.open(settings, clock);
        System.out.println("ready");
        System.out.flush();
        for (int n = start; ; n++) {
            InetAddress client = address(n);
            store.record(new PrimaryContact(client, "mta" + n + ".sender.test", "mta" + n + ".sender.test", n % 2 == 0,
                    "primary.test", Instant.now(), PrimaryContact.Source.POLICY_SERVICE));
            store.grantCredit(client, Instant.now().plus(Duration.ofDays(3)));
            if (n % 100 == 0) {
                store.putBlock(new Block("2001:db8:" + Integer.toHexString(n) + "::/48", Block.Origin.MANUAL, "crash.test",
                        Instant.now(), null, "tempfail client 2001:db8:" + Integer.toHexString(n) + "::/48", "test " + n));
            }
            if (n % 50 == 49) {
                store.flush();
                System.out.println("flushed " + (n + 1));
                System.out.flush();
            }
        }
    }

    static InetAddress address(int n) throws Exception {
        return InetAddress.getByName("2001:db8::" + Integer.toHexString(n >>> 16) + ":" + Integer.toHexString(n & 0xffff));
    }
}
