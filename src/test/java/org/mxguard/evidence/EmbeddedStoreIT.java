package org.mxguard.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.type.LongDataType;
import org.h2.mvstore.type.StringDataType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.maillog.MailLog;

/** The embedded store on a real file: what survives a restart, what expires, and how blocks are made. */
class EmbeddedStoreIT {

    private static final Instant T0 = Instant.parse("2026-12-06T06:00:00Z");

    @TempDir
    Path dir;

    private EmbeddedStore open() throws Exception {
        return EmbeddedStore.open(StoreSettings.defaults(dir), Clock.fixed(T0, ZoneOffset.UTC));
    }

    private static InetAddress ip(String text) throws Exception {
        return InetAddress.getByName(text);
    }

    @Test
    void everythingSurvivesARestart() throws Exception {
        try (EmbeddedStore store = open()) {
            store.record(new PrimaryContact(ip("192.0.2.1"), "mta.example.net", "mta.example.net", true, "mx1.test",
                    T0, PrimaryContact.Source.PRIMARY_LOG));
            assertThat(store.attempt(ip("192.0.2.2"), "a@b.test", "u@p.test", T0)).isEqualTo(T0);
            store.grantCredit(ip("192.0.2.3"), T0.plus(Duration.ofDays(3)));
            store.caught(ip("198.51.100.7"), "dsl-7.pool.isp.example", true, T0);
            store.putBlock(new Block("203.0.113.0/24", Block.Origin.MANUAL, "backup.test", T0, null,
                    "tempfail client 203.0.113.0/24", "by hand"));
        }
        try (EmbeddedStore store = open()) {
            PrimaryContact c = store.lastContact(ip("192.0.2.1"));
            assertThat(c.primary()).isEqualTo("mx1.test");
            assertThat(c.nullSender()).isTrue();
            assertThat(c.source()).isEqualTo(PrimaryContact.Source.PRIMARY_LOG);
            assertThat(store.attempt(ip("192.0.2.2"), "a@b.test", "u@p.test", T0.plusSeconds(400))).isEqualTo(T0);
            assertThat(store.creditUntil(ip("192.0.2.3"))).isEqualTo(T0.plus(Duration.ofDays(3)));
            assertThat(store.aggregate("198.51.100.0/24").clients()).containsExactly("198.51.100.7");
            assertThat(store.aggregate(".pool.isp.example").nullSenderShare()).isEqualTo(1.0);
            assertThat(store.covered("192.0.2.0/24")).isTrue();
            assertThat(store.covered("198.51.100.0/24")).isFalse();
            assertThat(store.blocks()).extracting(Block::evidence).containsExactly("by hand");
        }
    }

    @Test
    void aFullTableKeepsThePairsThatCanStillEarnCreditAndMakesRoomOnlyByExpiry() throws Exception {
        try (EmbeddedStore store = open()) {
            InetAddress client = ip("192.0.2.9");
            for (int i = 0; i < Attempts.MAX; i++) {
                store.attempt(client, "s" + i + "@b.test", "u@p.test", T0.plusSeconds(i));
            }
            Instant later = T0.plusSeconds(60);
            assertThat(store.attempt(client, "new@b.test", "u@p.test", later)).as("not recorded").isEqualTo(later);
            assertThat(store.attempt(client, "new@b.test", "u@p.test", later.plusSeconds(300)))
                    .as("still not recorded").isEqualTo(later.plusSeconds(300));
            assertThat(store.attempt(client, "s0@b.test", "u@p.test", T0.plusSeconds(300))).as("the oldest is kept")
                    .isEqualTo(T0);
            Instant expired = T0.plus(StoreSettings.defaults(dir).attemptRetention()).plusSeconds(1);
            assertThat(store.attempt(client, "new@b.test", "u@p.test", expired)).isEqualTo(expired);
            assertThat(store.attempt(client, "new@b.test", "u@p.test", expired.plusSeconds(300)))
                    .as("recorded once an expired pair made room").isEqualTo(expired);
        }
    }

    @Test
    void aSecondServerOnTheSameDirectoryIsToldWhy() throws Exception {
        try (EmbeddedStore first = open()) {
            assertThatThrownBy(this::open).isInstanceOf(java.io.IOException.class)
                    .hasMessageContaining(dir.resolve(EmbeddedStore.FILE_NAME).toString());
        }
    }

    @Test
    void oldEvidenceExpiresSoMemoryFollowsActiveSources() throws Exception {
        try (EmbeddedStore store = open()) {
            for (int i = 1; i < 200; i++) {
                store.record(new PrimaryContact(ip("192.0.2." + i), null, null, false, "mx1.test", T0,
                        PrimaryContact.Source.POLICY_SERVICE));
                store.caught(ip("198.51.100." + i), null, true, T0);
            }
            store.grantCredit(ip("203.0.113.1"), T0.plus(Duration.ofDays(1)));
            store.putBlock(new Block("203.0.113.0/24", Block.Origin.AUTOMATIC, "", T0, T0.plus(Duration.ofDays(7)),
                    "tempfail client 203.0.113.0/24", ""));
            store.purge(T0.plus(Duration.ofDays(8)));
            assertThat(store.describe()).isEqualTo("contacts 0, attempts 0, credits 0, sources 0, covered sources 0,"
                    + " blocks 0");
        }
        try (EmbeddedStore store = open()) {
            assertThat(store.describe()).as("the purge reached the file").startsWith("contacts 0,");
        }
    }

    @Test
    void aSpamRunWithANewRecipientInEveryMessageCostsAFixedAmountPerClient() throws Exception {
        try (EmbeddedStore store = open()) {
            for (int i = 0; i < 1000; i++) {
                store.attempt(ip("198.51.100.9"), "", "user" + i + "@p.test", T0.plusSeconds(i));
            }
            assertThat(store.describe()).contains("attempts 1,");
            assertThat(store.attempt(ip("198.51.100.9"), "", "user0@p.test", T0.plusSeconds(5000)))
                    .as("the first pairs are kept: their retry could still earn credit").isEqualTo(T0);
            assertThat(store.attempt(ip("198.51.100.9"), "", "user999@p.test", T0.plusSeconds(5000)))
                    .as("the pairs past the table's size were not recorded").isEqualTo(T0.plusSeconds(5000));
        }
    }

    @Test
    void ipv6ClientsCountPerSlash64() throws Exception {
        try (EmbeddedStore store = open()) {
            store.record(new PrimaryContact(ip("2001:db8:1:2::25"), null, null, false, "mx1.test", T0,
                    PrimaryContact.Source.POLICY_SERVICE));
            assertThat(store.lastContact(ip("2001:db8:1:2:ffff::1"))).isNotNull();
            assertThat(store.lastContact(ip("2001:db8:1:3::25"))).isNull();
            for (int i = 1; i <= 9; i++) {
                store.caught(ip("2001:db8:7:" + (i % 3) + "::" + i), null, true, T0);
            }
            assertThat(store.aggregate("2001:db8:7::/48").clients()).as("three /64s, three clients")
                    .containsExactlyInAnyOrder("2001:db8:7::/64", "2001:db8:7:1::/64", "2001:db8:7:2::/64");
        }
    }

    @Test
    void blocksNeedDistinctClientsANullSenderShareAndNoCoveredClient() throws Exception {
        MxSkipSettings settings = MxSkipSettings.defaults().withBlocks(
                new MxSkipSettings.BlockThresholds(true, 3, 0.5, Duration.ofDays(7)))
                .withAllow(List.of(org.mxguard.policy.Cidr.parse("203.0.113.128/25")));
        List<String> logged = new ArrayList<>();
        MailLog log = new MailLog("backup.test", "mxguard", Clock.fixed(T0, ZoneOffset.UTC), logged::add);
        try (EmbeddedStore store = open()) {
            AtomicInteger changes = new AtomicInteger();
            store.onBlocksChanged(changes::incrementAndGet);
            BlockMaker maker = new BlockMaker(settings, store, "backup.test", log);
            // Three clients in one /24, by name in one subdomain: the /24 and the subdomain, not the /16.
            for (int i = 1; i <= 3; i++) {
                catchOne(store, maker, "198.51.100." + i, "dsl-" + i + ".pool.isp.example", true);
            }
            assertThat(store.blocks()).extracting(Block::target)
                    .containsExactlyInAnyOrder("198.51.100.0/24", ".pool.isp.example");
            assertThat(changes.get()).isEqualTo(2);
            // Real senders (no null sender): no block.
            for (int i = 1; i <= 5; i++) {
                catchOne(store, maker, "203.0.113." + i, "unknown", false);
            }
            assertThat(store.blocks()).extracting(Block::target).doesNotContain("203.0.113.0/24");
            // A network holding a client seen at a primary: never.
            store.record(new PrimaryContact(ip("192.0.2.50"), null, null, false, "mx1.test", T0,
                    PrimaryContact.Source.POLICY_SERVICE));
            for (int i = 1; i <= 5; i++) {
                catchOne(store, maker, "192.0.2." + i, "unknown", true);
            }
            assertThat(store.blocks()).extracting(Block::target).doesNotContain("192.0.2.0/24");
            // A network overlapping an allowed one (203.0.113.128/25): never, though it passes the thresholds.
            for (int i = 1; i <= 5; i++) {
                catchOne(store, maker, "203.0.113." + (10 + i), "unknown", true);
            }
            assertThat(store.aggregate("203.0.113.0/24").nullSenderShare()).isEqualTo(0.5);
            assertThat(store.blocks()).extracting(Block::target).doesNotContain("203.0.113.0/24");
            // Clients in two /24s of one /16 make the /16 too.
            for (int i = 1; i <= 3; i++) {
                catchOne(store, maker, "198.51." + (101 + i % 2) + "." + i, "unknown", true);
            }
            assertThat(store.blocks()).extracting(Block::target).contains("198.51.0.0/16");
            assertThat(logged).anyMatch(l -> l.contains("block: 198.51.100.0/24 until 2026-12-13T06:00:00Z"));
            // A contact inside a block lifts it.
            maker.lift(ip("198.51.100.200"), "mta.isp.example");
            assertThat(store.blocks()).extracting(Block::target).doesNotContain("198.51.100.0/24", "198.51.0.0/16");
        }
    }

    @Test
    void aFullHandOffDropsAndCountsNewChangesWhileMemoryStillDecides() throws Exception {
        // An hour between writes: nothing drains the hand-off while the contacts come in.
        StoreSettings slow = StoreSettings.defaults(dir).withWriteInterval(Duration.ofHours(1));
        try (EmbeddedStore store = EmbeddedStore.open(slow, Clock.fixed(T0, ZoneOffset.UTC), 5)) {
            for (int i = 1; i <= 20; i++) {
                store.record(new PrimaryContact(ip("192.0.2." + i), null, null, false, "mx1.test", T0,
                        PrimaryContact.Source.POLICY_SERVICE));
            }
            // The first contact and its /24 and /16 marks, then two more contacts: five changes held.
            assertThat(store.pendingChanges()).isEqualTo(5);
            assertThat(store.droppedChanges()).isEqualTo(17);
            for (int i = 1; i <= 20; i++) {
                assertThat(store.lastContact(ip("192.0.2." + i))).as("memory still decides").isNotNull();
            }
        }
        try (EmbeddedStore store = open()) {
            assertThat(store.lastContact(ip("192.0.2.3"))).isNotNull();
            assertThat(store.lastContact(ip("192.0.2.4"))).as("dropped: forgotten at the restart").isNull();
            assertThat(store.describe()).startsWith("contacts 3,");
            assertThat(store.droppedChanges()).isZero();
        }
    }

    @Test
    void theFileHoldsOneEntryPerKeyHoweverOftenItChanged() throws Exception {
        try (EmbeddedStore store = open()) {
            for (int i = 0; i < 100; i++) {
                store.record(new PrimaryContact(ip("192.0.2.1"), null, null, false, "mx1.test",
                        T0.plus(Duration.ofMinutes(2L * i)), PrimaryContact.Source.POLICY_SERVICE));
                store.flush();
            }
        }
        MVStore file = MVStore.open(dir.resolve(EmbeddedStore.FILE_NAME).toString());
        try {
            MVMap<Long, String> map = file.openMap(EvidenceFile.MAP, new MVMap.Builder<Long, String>()
                    .keyType(LongDataType.INSTANCE).valueType(StringDataType.INSTANCE));
            assertThat(map.values()).as("the contact, its /24 and its /16")
                    .hasSize(3).anyMatch(v -> v.startsWith("c:192.0.2.1\t" + T0.plus(Duration.ofMinutes(198))));
        } finally {
            file.close();
        }
    }

    @Test
    void aStoreFileFromTheEarlierLayoutIsReadAndRewritten() throws Exception {
        MVStore old = MVStore.open(dir.resolve(EmbeddedStore.FILE_NAME).toString());
        old.openMap("contacts").put("192.0.2.1", StoreCodec.contact(new PrimaryContact(ip("192.0.2.1"),
                "mta.example.net", null, false, "mx1.test", T0, PrimaryContact.Source.PRIMARY_LOG)));
        old.openMap("aggregates").put("198.51.100.0/24", StoreCodec.aggregate(
                Aggregate.first("198.51.100.0/24", "198.51.100.7", true, T0)));
        old.openMap("blocks").put("203.0.113.0/24", StoreCodec.block(new Block("203.0.113.0/24",
                Block.Origin.MANUAL, "backup.test", T0, null, "tempfail client 203.0.113.0/24", "by hand")));
        old.close();
        try (EmbeddedStore store = open()) {
            assertThat(store.lastContact(ip("192.0.2.1")).clientName()).isEqualTo("mta.example.net");
        }
        try (EmbeddedStore store = open()) {
            assertThat(store.lastContact(ip("192.0.2.1")).primary()).isEqualTo("mx1.test");
            assertThat(store.aggregate("198.51.100.0/24").clients()).containsExactly("198.51.100.7");
            assertThat(store.blocks()).extracting(Block::evidence).containsExactly("by hand");
        }
        MVStore file = MVStore.open(dir.resolve(EmbeddedStore.FILE_NAME).toString());
        try {
            assertThat(file.getMapNames()).doesNotContain("contacts", "aggregates", "blocks");
        } finally {
            file.close();
        }
    }

    @Test
    void whatIsRecordedWhileTheFileIsReadIsKeptOverTheOlderEntriesAndSurvivesARestart() throws Exception {
        try (EmbeddedStore store = open()) {
            store.record(new PrimaryContact(ip("192.0.2.1"), "old.example.net", null, false, "mx1.test", T0,
                    PrimaryContact.Source.PRIMARY_LOG));
            store.attempt(ip("192.0.2.2"), "a@b.test", "u@p.test", T0);
            store.putBlock(new Block("203.0.113.0/24", Block.Origin.MANUAL, "backup.test", T0, null,
                    "tempfail client 203.0.113.0/24", "by hand"));
        }
        Instant later = T0.plus(Duration.ofHours(1));
        try (EmbeddedStore store = EmbeddedStore.openLoadingLater(StoreSettings.defaults(dir),
                Clock.fixed(T0, ZoneOffset.UTC))) {
            assertThat(store.loading()).isTrue();
            assertThat(store.describe()).contains("loading, 0 of");
            assertThat(store.blocks()).as("blocks before the rest").extracting(Block::evidence).containsExactly("by hand");
            assertThat(store.lastContact(ip("192.0.2.1"))).as("not read yet").isNull();
            store.record(new PrimaryContact(ip("192.0.2.1"), "new.example.net", null, false, "mx2.test", later,
                    PrimaryContact.Source.POLICY_SERVICE));
            store.attempt(ip("192.0.2.2"), "c@d.test", "u@p.test", later);
            store.flush();
            store.startLoading();
            awaitLoaded(store);
            assertThat(store.lastContact(ip("192.0.2.1")).clientName()).isEqualTo("new.example.net");
            assertThat(store.attempt(ip("192.0.2.2"), "a@b.test", "u@p.test", later)).as("read").isEqualTo(T0);
        }
        try (EmbeddedStore store = open()) {
            assertThat(store.loading()).isFalse();
            assertThat(store.lastContact(ip("192.0.2.1")).clientName()).isEqualTo("new.example.net");
            assertThat(store.attempt(ip("192.0.2.2"), "a@b.test", "u@p.test", later)).isEqualTo(T0);
            assertThat(store.attempt(ip("192.0.2.2"), "c@d.test", "u@p.test", later.plusSeconds(1))).isEqualTo(later);
            assertThat(store.blocks()).extracting(Block::evidence).containsExactly("by hand");
        }
    }

    @Test
    void aStoreClosedWhileReadingKeepsBothWhatItHadAndWhatWasRecorded() throws Exception {
        try (EmbeddedStore store = open()) {
            for (int i = 0; i < 50_000; i++) {
                store.record(new PrimaryContact(ip("10.0." + (i >>> 8 & 0xff) + "." + (i & 0xff)), null, null, false,
                        "mx1.test", T0, PrimaryContact.Source.POLICY_SERVICE));
            }
        }
        try (EmbeddedStore store = EmbeddedStore.openLoadingLater(StoreSettings.defaults(dir),
                Clock.fixed(T0, ZoneOffset.UTC))) {
            store.record(new PrimaryContact(ip("10.0.0.7"), "new.example.net", null, false, "mx2.test",
                    T0.plusSeconds(3600), PrimaryContact.Source.POLICY_SERVICE));
            store.record(new PrimaryContact(ip("192.0.2.1"), null, null, false, "mx2.test", T0,
                    PrimaryContact.Source.POLICY_SERVICE));
            store.startLoading();
        }
        try (EmbeddedStore store = open()) {
            assertThat(store.lastContact(ip("10.0.0.7")).clientName()).isEqualTo("new.example.net");
            assertThat(store.lastContact(ip("192.0.2.1"))).isNotNull();
            for (int i = 0; i < 50_000; i++) {
                assertThat(store.lastContact(ip("10.0." + (i >>> 8 & 0xff) + "." + (i & 0xff)))).isNotNull();
            }
        }
    }

    @Test
    void aFileWithBlocksAmongTheEntriesIsReadWholeAtOpenAndThenKeepsThemApart() throws Exception {
        // As the earlier version wrote it: blocks in the log with the rest.
        try (MVStore old = new MVStore.Builder().fileName(dir.resolve(EmbeddedStore.FILE_NAME).toString())
                .autoCommitDisabled().open()) {
            MVMap<Long, String> log = old.openMap(EvidenceFile.MAP, new MVMap.Builder<Long, String>()
                    .keyType(LongDataType.INSTANCE).valueType(StringDataType.INSTANCE).singleWriter());
            log.append(0L, "c:192.0.2.1\t" + StoreCodec.contact(new PrimaryContact(ip("192.0.2.1"), null, null, false,
                    "mx1.test", T0, PrimaryContact.Source.PRIMARY_LOG)));
            log.append(1L, "b:203.0.113.0/24\t" + StoreCodec.block(new Block("203.0.113.0/24", Block.Origin.MANUAL,
                    "backup.test", T0, null, "tempfail client 203.0.113.0/24", "by hand")));
            log.flushAndGetRoot();
            old.commit();
        }
        try (EmbeddedStore store = EmbeddedStore.openLoadingLater(StoreSettings.defaults(dir),
                Clock.fixed(T0, ZoneOffset.UTC))) {
            assertThat(store.loading()).as("read whole at open").isFalse();
            assertThat(store.blocks()).extracting(Block::evidence).containsExactly("by hand");
            assertThat(store.lastContact(ip("192.0.2.1"))).isNotNull();
        }
        try (EmbeddedStore store = EmbeddedStore.openLoadingLater(StoreSettings.defaults(dir),
                Clock.fixed(T0, ZoneOffset.UTC))) {
            assertThat(store.loading()).as("the rest read later").isTrue();
            assertThat(store.blocks()).extracting(Block::evidence).containsExactly("by hand");
            store.startLoading();
            awaitLoaded(store);
            assertThat(store.lastContact(ip("192.0.2.1"))).isNotNull();
        }
    }

    private static void awaitLoaded(EvidenceStore store) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (store.loading()) {
            assertThat(System.nanoTime()).as("loaded within 30 s: %s", store.describe()).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private static void catchOne(EmbeddedStore store, BlockMaker maker, String address, String name, boolean nullSender)
            throws Exception {
        store.caught(ip(address), name, nullSender, T0);
        maker.consider(ip(address), name, T0);
    }
}
