package org.mxguard.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The compact contact gives back the contact it was made from. */
class SeenTest {

    private static final Instant AT = Instant.parse("2026-12-06T06:00:00.123Z");

    private static PrimaryContact roundTrip(PrimaryContact c) {
        return Seen.of(c).contact();
    }

    @Test
    void everyFieldComesBack() throws Exception {
        for (String helo : new String[] {null, "", "mta.example.net", "other.example", "[192.0.2.1]", "héllo"}) {
            for (PrimaryContact.Source source : PrimaryContact.Source.values()) {
                PrimaryContact c = new PrimaryContact(InetAddress.getByName("192.0.2.1"), "mta.example.net", helo,
                        true, "mx1.test", AT, source);
                assertThat(roundTrip(c)).isEqualTo(c);
            }
        }
        PrimaryContact v6 = new PrimaryContact(InetAddress.getByName("2001:db8::25"), null, null, false, "", AT,
                PrimaryContact.Source.FLEET);
        assertThat(roundTrip(v6)).isEqualTo(v6);
    }
}
