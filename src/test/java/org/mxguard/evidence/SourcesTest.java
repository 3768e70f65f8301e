package org.mxguard.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A client's rDNS subdomain: the parent of its name, never a public suffix, the same for every name under one parent. */
class SourcesTest {

    @Test
    void theParentBelowThePublicSuffix() {
        assertThat(Sources.subdomain("dsl-1.pool.isp.example")).isEqualTo(".pool.isp.example");
        assertThat(Sources.subdomain("MTA.ISP.example.")).isEqualTo(".isp.example");
        assertThat(Sources.subdomain("host.bar.co.uk")).isEqualTo(".bar.co.uk");
        assertThat(Sources.subdomain("bar.co.uk")).as("co.uk is a public suffix").isNull();
        assertThat(Sources.subdomain("a.b.ck")).as("*.ck: b.ck is a public suffix").isNull();
        assertThat(Sources.subdomain("host.example")).isNull();
        assertThat(Sources.subdomain("unknown")).isNull();
        assertThat(Sources.subdomain(null)).isNull();
    }

    @Test
    void aNameWhoseFirstLabelIsNotAHostNameGetsItsParentsAnswer() {
        // A label starting with a hyphen is not a domain name to the PSL library, whose fallback
        // (the last two labels) once made ".co.uk" a blockable source.
        assertThat(Sources.subdomain("-dsl1.co.uk")).isNull();
        assertThat(Sources.subdomain("-dsl1.pool.isp.example")).isEqualTo(".pool.isp.example");
    }

    @Test
    void repeatedLookupsOfManyParentsStayCorrect() {
        for (int round = 0; round < 2; round++) {
            // More parents than are kept: the cache starts again, and answers the same.
            for (int i = 0; i < Sources.PARENTS_KEPT + 100; i++) {
                assertThat(Sources.subdomain("host.pool" + i + ".isp.example")).isEqualTo(".pool" + i + ".isp.example");
                assertThat(Sources.subdomain("host" + i + ".co.uk")).isNull();
            }
        }
    }
}
