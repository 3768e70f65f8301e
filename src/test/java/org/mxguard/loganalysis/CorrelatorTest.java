package org.mxguard.loganalysis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CorrelatorTest {

    @Test
    void postfixMessageIsJoinedByQueueIdAndForgottenWhenRemoved() {
        Correlator c = new Correlator(86400, 1000);
        c.accept(new LogEvent.Client("mx2", 100, "2BD192839B", "dyn-1.isp.example", "192.0.2.5"));
        c.accept(new LogEvent.From("mx2", 101, "2BD192839B", "", 1156, 2, null, null, null, null));
        c.accept(new LogEvent.To("mx2", 102, "2BD192839B", "a@x", 1, "mx1[192.0.2.10]:25", "2.0.0",
                LogEvent.Status.SENT, "sent", null));
        c.accept(new LogEvent.From("mx2", 103, "2BD192839B", "", 1156, 2, null, null, null, null));
        c.accept(new LogEvent.Removed("mx2", 104, "2BD192839B"));
        ClientStats s = c.clients().get("192.0.2.5");
        assertThat(s.messages).isEqualTo(1);
        assertThat(s.nullMessages).isEqualTo(1);
        assertThat(s.recipients).isEqualTo(2);
        assertThat(s.delivered).isEqualTo(1);
        assertThat(c.pendingNow()).isZero();
    }

    @Test
    void sameQueueIdOnTwoHostsIsTwoMessages() {
        Correlator c = new Correlator(86400, 1000);
        c.accept(new LogEvent.Client("mx2", 100, "ABCDEF", null, "192.0.2.5"));
        c.accept(new LogEvent.Client("mx3", 100, "ABCDEF", null, "192.0.2.6"));
        c.accept(new LogEvent.From("mx3", 101, "ABCDEF", "", 1, 1, null, null, null, null));
        assertThat(c.clients().get("192.0.2.6").nullMessages).isEqualTo(1);
        assertThat(c.clients().get("192.0.2.5").messages).isZero();
    }

    @Test
    void messagesThatNeverLogTheirRemovalAgeOutSoMemoryStaysBounded() {
        Correlator c = new Correlator(3600, 50_000);
        for (int i = 0; i < 1_000_000; i++) {
            // sendmail: no removal line; one message every second
            c.accept(new LogEvent.From("mx2", i, "q" + i, "", 10, 1, null, null, null, "192.0.2." + (i % 200)));
        }
        assertThat(c.pendingNow()).isLessThanOrEqualTo(3601);
        assertThat(c.clients()).hasSize(200);
        assertThat(c.clients().get("192.0.2.7").nullMessages).isEqualTo(5000);
    }

    @Test
    void pendingTableIsCappedEvenWithoutTimes() {
        Correlator c = new Correlator(3600, 1000);
        for (int i = 0; i < 100_000; i++) {
            c.accept(new LogEvent.Client("mx2", 0, "Q" + i, null, "192.0.2.1"));
        }
        assertThat(c.pendingNow()).isEqualTo(1000);
    }

    @Test
    void messagesAreCountedPerDayHoweverFarApartTheDaysAre() {
        Correlator c = new Correlator(86400, 1000);
        long day = 86400;
        long[] times = {20_500 * day + 5, 20_500 * day + 7, 20_501 * day, 20_100 * day, 21_900 * day, 3 * day, 0};
        for (int i = 0; i < times.length; i++) {
            c.accept(new LogEvent.From("mx2", times[i], "q" + i, i % 2 == 0 ? "" : "a@b.example", 10, 1, null, null,
                    null, "192.0.2.9"));
        }
        assertThat(c.daily()).containsOnlyKeys(20_500L, 20_501L, 20_100L, 21_900L, 3L, 0L);
        assertThat(c.daily().get(20_500L)).containsExactly(2, 1);
        assertThat(c.daily().get(20_501L)).containsExactly(1, 1);
        assertThat(c.daily().get(20_100L)).containsExactly(1, 0);
        assertThat(c.daily().get(21_900L)).containsExactly(1, 1);
        assertThat(c.daily().get(3L)).containsExactly(1, 0);
        assertThat(c.daily().get(0L)).containsExactly(1, 1);
    }

    @Test
    void aSendmailMessageIsDoneWhenEachRecipientHasAFinalOutcome() {
        Correlator c = new Correlator(7 * 86400, 200_000);
        c.accept(new LogEvent.From("mx2", 10, "rA37ZTSC026254", "", 100, 2, null, "ESMTP", "d.example", "192.0.2.7"));
        c.accept(new LogEvent.To("mx2", 11, "rA37ZTSC026254", "<a@b>", 1, null, "4.0.0", LogEvent.Status.DEFERRED,
                "Deferred", "esmtp"));
        c.accept(new LogEvent.To("mx2", 12, "rA37ZTSC026254", "<a@b>", 1, null, "2.0.0", LogEvent.Status.SENT, "Sent",
                "esmtp"));
        assertThat(c.pendingNow()).as("one recipient of two has its outcome").isEqualTo(1);
        c.accept(new LogEvent.To("mx2", 13, "rA37ZTSC026254", "<c@b>", 1, null, "5.1.1", LogEvent.Status.BOUNCED,
                "User unknown", "esmtp"));
        assertThat(c.pendingNow()).as("both have").isZero();
        // A Postfix message waits for its removal, whatever its deliveries say.
        c.accept(new LogEvent.Client("mx2", 20, "2B9773E900", null, "192.0.2.8"));
        c.accept(new LogEvent.From("mx2", 20, "2B9773E900", "", 100, 1, null, null, null, null));
        c.accept(new LogEvent.To("mx2", 21, "2B9773E900", "a@b", 1, null, "2.0.0", LogEvent.Status.SENT, "sent", null));
        assertThat(c.pendingNow()).isEqualTo(1);
        assertThat(c.clients().get("192.0.2.7").delivered).isEqualTo(1);
        assertThat(c.clients().get("192.0.2.7").bounced).isEqualTo(1);
    }

    @Test
    void sendmailMessagesRelayedAtOnceDoNotPileUpInTheJoin() {
        Correlator c = new Correlator(7 * 86400, 200_000);
        for (int i = 0; i < 50_000; i++) {
            String id = "rA37ZT" + String.format("%08d", i);
            c.accept(new LogEvent.From("mx2", 1000 + i, id, "", 100, 1, null, "ESMTP", null, "192.0.2.9"));
            c.accept(new LogEvent.To("mx2", 1000 + i, id, "<a@b>", 1, null, "2.0.0", LogEvent.Status.SENT, "Sent", "esmtp"));
        }
        assertThat(c.pendingNow()).isZero();
        assertThat(c.maxPendingSeen).isEqualTo(1);
    }

    @Test
    void aLocalSubmissionIsANewMessageOfNoClient() {
        Correlator c = new Correlator(7 * 86400, 200_000);
        // A relayed message whose last recipient has no outcome yet, then sendmail reuses its queue
        // id for a message submitted on the host (relay=root@localhost, no network client).
        c.accept(new LogEvent.From("mx2", 10, "rA37ZTSC026254", "", 100, 2, null, "ESMTP", "d.example", "192.0.2.7"));
        c.accept(new LogEvent.To("mx2", 11, "rA37ZTSC026254", "<a@b>", 1, null, "2.0.0", LogEvent.Status.SENT, "Sent",
                "esmtp"));
        c.accept(new LogEvent.From("mx2", 20, "rA37ZTSC026254", "root", 300, 1, null, null, "root@localhost", null));
        c.accept(new LogEvent.To("mx2", 21, "rA37ZTSC026254", "postmaster", 1, null, "2.0.0", LogEvent.Status.SENT,
                "Sent", "local"));
        assertThat(c.clients().get("192.0.2.7").delivered).as("the local message's delivery is not the client's")
                .isEqualTo(1);
        assertThat(c.clients().get("192.0.2.7").messages).isEqualTo(1);
        assertThat(c.messagesWithoutClient).isEqualTo(1);
        assertThat(c.pendingNow()).isZero();
    }
}
