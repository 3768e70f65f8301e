package org.mxguard.mail;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HostNameTest {

    @ParameterizedTest
    @ValueSource(strings = {"mail.example.org", "a", "x-1.dyn.example", "host_name.example", "1-2-3-4.isp.example",
            "192.0.2.1.example", "MX2.Example.ORG"})
    void hostNamesPass(String name) {
        assertThat(HostName.isValid(name)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"adsl-203-0-113-9.dynamic.isp.example[198.51.100.25].evil.example", "a b.example",
            "a..example", ".example", "example.", "-a.example", "a-.example", "a.-b.example", "192.0.2.1", "1",
            "a\u00e9.example", "a:b.example", "a/b", "", "a]:x"})
    void otherTextDoesNot(String name) {
        assertThat(HostName.isValid(name)).isFalse();
    }

    @org.junit.jupiter.api.Test
    void lengthLimitsAreThoseOfDns() {
        assertThat(HostName.isValid("a".repeat(63) + ".example")).isTrue();
        assertThat(HostName.isValid("a".repeat(64) + ".example")).isFalse();
        String name = ("a".repeat(63) + ".").repeat(4);
        assertThat(HostName.isValid(name.substring(0, 255))).isTrue();
        assertThat(HostName.isValid(name + "b")).isFalse();
    }
}
