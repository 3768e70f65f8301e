package org.mxguard.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mxguard.mail.ClientInfo;
import org.mxguard.mail.MailAddress;
import org.mxguard.mail.QueueId;

class ReceivedHeaderTest {

    private static final ZonedDateTime WHEN = ZonedDateTime.of(2026, 11, 6, 9, 5, 7, 0, ZoneOffset.ofHours(1));

    @Test
    void ipv6ClientWithTlsAndSeveralRecipientsHasNoForClause() throws Exception {
        ClientInfo client = new ClientInfo(InetAddress.getByName("2001:db8::1"), 1, "unknown", "[IPv6:2001:db8::1]",
                "ESMTPS", "TLSv1.3 with cipher TLS_AES_128_GCM_SHA256");
        assertThat(ReceivedHeader.render(client, "mx2.example.org", "ESMTPS", new QueueId("0123456789AB"),
                List.of(MailAddress.of("a", "example.org"), MailAddress.of("b", "example.org")), WHEN))
                .isEqualTo("Received: from [IPv6:2001:db8::1] (unknown [IPv6:2001:db8::1])\r\n"
                        + "\t(using TLSv1.3 with cipher TLS_AES_128_GCM_SHA256)\r\n"
                        + "\tby mx2.example.org (mxguard) with ESMTPS id 0123456789AB;\r\n"
                        + "\tFri, 6 Nov 2026 09:05:07 +0100\r\n");
    }

    @Test
    void ipv6AddressesAreWrittenInRfc5952Form() throws Exception {
        assertThat(text("2001:db8:0:0:1:0:0:1")).isEqualTo("2001:db8::1:0:0:1");
        assertThat(text("2001:0:0:1:0:0:0:1")).isEqualTo("2001:0:0:1::1");
        assertThat(text("::1")).isEqualTo("::1");
        assertThat(text("fe80::")).isEqualTo("fe80::");
        assertThat(text("2001:db8:1:2:3:4:5:6")).isEqualTo("2001:db8:1:2:3:4:5:6");
        assertThat(text("192.0.2.1")).isEqualTo("192.0.2.1");
    }

    private static String text(String address) throws Exception {
        return new ClientInfo(InetAddress.getByName(address), 1, "unknown", null, "SMTP", null).addressText();
    }
}
