package org.mxguard.mail;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PathParserTest {

    private static PathParser.Result.Mailbox mailbox(String text) {
        PathParser.Result result = PathParser.parse(text, false);
        assertThat(result).as(text).isInstanceOf(PathParser.Result.Mailbox.class);
        return (PathParser.Result.Mailbox) result;
    }

    @Test
    void plainMailboxKeepsTheLocalPartAndCanonicalizesTheDomain() {
        PathParser.Result.Mailbox box = mailbox("<John.Doe@Example.ORG.>");
        assertThat(box.localPart()).isEqualTo("John.Doe");
        assertThat(box.domainText()).isEqualTo("Example.ORG.");
        assertThat(box.domain()).isEqualTo(Domain.parse("example.org"));
        assertThat(box.text()).isEqualTo("John.Doe@Example.ORG.");
        assertThat(box.addressLiteral()).isFalse();
    }

    @Test
    void nullPathIsItsOwnResult() {
        assertThat(PathParser.parse("<>", false)).isInstanceOf(PathParser.Result.NullPath.class);
    }

    @Test
    void sourceRouteIsIgnoredAndTheFinalDomainCounts() {
        PathParser.Result.Mailbox box = mailbox("<@relay.example,@other.example:user@final.example>");
        assertThat(box.domain()).isEqualTo(Domain.parse("final.example"));
        assertThat(box.route()).containsExactly("@relay.example", "@other.example");
        assertThat(box.text()).isEqualTo("user@final.example");
    }

    @Test
    void quotedLocalPartMayHoldAnAtSignWhichCountsAsRouting() {
        PathParser.Result.Mailbox box = mailbox("<\"user@elsewhere.example\"@example.org>");
        assertThat(box.localPart()).isEqualTo("\"user@elsewhere.example\"");
        assertThat(box.domain()).isEqualTo(Domain.parse("example.org"));
        assertThat(box.hasRoutingCharacters()).isTrue();
        assertThat(mailbox("<\"a\\\"b c\"@example.org>").hasRoutingCharacters()).isFalse();
    }

    @Test
    void fullWidthAndSmallFormsOfPercentBangAndAtAreRoutingCharactersUnderSmtpUtf8() {
        for (String local : new String[] {"user\uFF05elsewhere.example", "user\uFF20elsewhere.example",
                "elsewhere.example\uFF01user", "user\uFE6Aelsewhere.example", "user\uFE6Belsewhere.example"}) {
            PathParser.Result result = PathParser.parse("<" + local + "@example.org>", true);
            assertThat(result).as(local).isInstanceOf(PathParser.Result.Mailbox.class);
            assertThat(((PathParser.Result.Mailbox) result).hasRoutingCharacters()).as(local).isTrue();
        }
        PathParser.Result plain = PathParser.parse("<j\u00f6rg.m\u00fcller@example.org>", true);
        assertThat(((PathParser.Result.Mailbox) plain).hasRoutingCharacters()).isFalse();
    }

    @Test
    void percentAndBangPathsAreRoutingCharacters() {
        assertThat(mailbox("<user%elsewhere.example@example.org>").hasRoutingCharacters()).isTrue();
        assertThat(mailbox("<elsewhere.example!user@example.org>").hasRoutingCharacters()).isTrue();
        assertThat(mailbox("<user+tag@example.org>").hasRoutingCharacters()).isFalse();
    }

    @Test
    void addressLiteralsAreCanonicalAndMarked() {
        PathParser.Result.Mailbox v4 = mailbox("<user@[192.0.2.1]>");
        assertThat(v4.addressLiteral()).isTrue();
        assertThat(v4.domain().name()).isEqualTo("[192.0.2.1]");
        PathParser.Result.Mailbox v6 = mailbox("<user@[IPv6:2001:DB8::1]>");
        assertThat(v6.domain().name()).isEqualTo("[ipv6:2001:db8:0:0:0:0:0:1]");
        assertThat(PathParser.parse("<user@[300.0.2.1]>", false)).isInstanceOf(PathParser.Result.Invalid.class);
        assertThat(PathParser.parse("<user@[IPv6:zz::1]>", false)).isInstanceOf(PathParser.Result.Invalid.class);
    }

    @Test
    void localPartWithoutDomainIsOnlyForPostmaster() {
        assertThat(PathParser.parse("<Postmaster>", false))
                .isEqualTo(new PathParser.Result.LocalOnly("Postmaster"))
                .matches(r -> ((PathParser.Result.LocalOnly) r).isPostmaster());
        assertThat(((PathParser.Result.LocalOnly) PathParser.parse("<example.org!user>", false)).isPostmaster())
                .isFalse();
    }

    @Test
    void utf8IsOnlyAllowedWithSmtpUtf8AndULabelsBecomeALabels() {
        assertThat(PathParser.parse("<jürgen@bücher.example>", false)).isInstanceOf(PathParser.Result.Invalid.class);
        PathParser.Result result = PathParser.parse("<jürgen@bücher.example>", true);
        assertThat(((PathParser.Result.Mailbox) result).domain()).isEqualTo(Domain.parse("xn--bcher-kva.example"));
    }

    @Test
    void unbracketedPathsAreReadLikePostfixDoes() {
        assertThat(mailbox("user@example.org").domain()).isEqualTo(Domain.parse("example.org"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"<user@example.org", "<user@@example.org>", "<user@example..org>", "<.user@example.org>",
            "<user.@example.org>", "<us..er@example.org>", "<user@-example.org>", "<user@example-.org>",
            "<a@b@example.org>", "<@relay.example user@example.org>", "<@relay.example:>", "<\"unterminated@x.org>",
            "<user@example.org>trailing", "<user@>", "<@example.org>", "", "<user name@example.org>",
            "<user@exa_mple.org>", "<user@[192.0.2.1>"})
    void malformedPathsAreInvalid(String text) {
        assertThat(PathParser.parse(text, false)).as(text).isInstanceOf(PathParser.Result.Invalid.class);
    }

    @Test
    void pathLengthFindsTheClosingBracketOutsideQuotes() {
        assertThat(PathParser.pathLength("<\"a>b\"@example.org> SIZE=10")).contains(19);
        assertThat(PathParser.pathLength("<a@example.org")).isEmpty();
        assertThat(PathParser.pathLength("a@example.org SIZE=1")).contains(13);
    }
}
