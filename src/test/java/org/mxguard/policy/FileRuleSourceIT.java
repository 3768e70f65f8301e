package org.mxguard.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.mail.MailAddress;

class FileRuleSourceIT {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-26T22:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private Path write(String name, String text, long mtimeSeconds) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        Files.setLastModifiedTime(p, FileTime.from(Instant.ofEpochSecond(mtimeSeconds)));
        return p;
    }

    @Test
    void includesAndListFilesKeepTheirOwnFileAndLine() throws Exception {
        write("dialup-nets.list", "# EMS sources seen 1998-03-06\n166.55.38.0/24\n\n198.51.100.0/24\n", 1);
        write("exceptions.rules", "\naccept client 198.51.100.25\n", 1);
        Path main = write("access.rules", """
                include exceptions.rules
                tempfail from <> client @dialup-nets.list
                """, 1);
        RuleSet set = RuleSet.load(main, PolicySettings.DEFAULTS);
        assertThat(set.size()).isEqualTo(2);
        assertThat(set.ref(0)).isEqualTo(new RuleRef(dir.resolve("exceptions.rules").toString(), 2));
        assertThat(set.ref(1)).isEqualTo(new RuleRef(main.toString(), 2));
    }

    @Test
    void errorsInListFilesNameTheListFile() throws Exception {
        write("nets.list", "192.0.2.0/24\n192.0.2.300\n", 1);
        Path main = write("access.rules", "tempfail client @nets.list\ninclude missing.rules\n", 1);
        assertThatThrownBy(() -> RuleSet.load(main, PolicySettings.DEFAULTS))
                .isInstanceOf(PolicyParseException.class)
                .hasMessageContaining(dir.resolve("nets.list") + ":2:1: not an IP address or network: (the value on that line)")
                .hasMessageContaining(main + ":2:9: cannot read included file");
    }

    /** Whoever reloads the rules reads the errors: an include or list of any other file must not leak it. */
    @Test
    void errorsInAForeignIncludedOrListFileDoNotRepeatItsText() throws Exception {
        Path shadow = write("shadow", "root:$6$s3cretHash$xyz:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n", 1);
        Path main = write("access.rules", "include " + shadow + "\ntempfail client @" + shadow + "\n", 1);
        assertThatThrownBy(() -> RuleSet.load(main, PolicySettings.DEFAULTS))
                .isInstanceOf(PolicyParseException.class)
                .hasMessageContaining(shadow + ":1:1: not a valid rule; the text of an included file is not repeated")
                .hasMessageContaining(shadow + ":1:1: not an IP address or network: (the value on that line)")
                .hasMessageNotContaining("s3cret").hasMessageNotContaining("root").hasMessageNotContaining("daemon");
    }

    @Test
    void includeLoopsAreErrors() throws Exception {
        write("a.rules", "include b.rules\n", 1);
        write("b.rules", "include a.rules\n", 1);
        assertThatThrownBy(() -> RuleSet.load(dir.resolve("a.rules"), PolicySettings.DEFAULTS))
                .hasMessageContaining(dir.resolve("b.rules") + ":1:9: include loop: " + dir.resolve("a.rules"));
    }

    @Test
    void changedFileIsSwappedInWhole() throws Exception {
        Path main = write("access.rules", "tempfail client 192.0.2.0/24\n", 1);
        try (FileRuleSource source = FileRuleSource.open(main, PolicySettings.DEFAULTS, CLOCK)) {
            RuleSet before = source.current();
            assertThat(source.reloadIfChanged()).isNull();
            write("access.rules", "accept client 192.0.2.53\ntempfail client 192.0.2.0/24\n", 2);
            assertThat(source.reloadIfChanged()).isInstanceOf(FileRuleSource.ReloadResult.Loaded.class);
            assertThat(source.current()).isNotSameAs(before);
            assertThat(source.current().size()).isEqualTo(2);
            assertThat(before.size()).isEqualTo(1);
        }
    }

    @Test
    void brokenReloadKeepsTheOldRulesAndSaysWhy() throws Exception {
        Path main = write("access.rules", "tempfail client 192.0.2.0/24\n", 1);
        try (FileRuleSource source = FileRuleSource.open(main, PolicySettings.DEFAULTS, CLOCK)) {
            RuleSet before = source.current();
            write("access.rules", "tempfail client 192.0.2.0/24\nreject from <>\n", 2);
            FileRuleSource.ReloadResult r = source.reload();
            assertThat(r).isInstanceOf(FileRuleSource.ReloadResult.Kept.class);
            assertThat(((FileRuleSource.ReloadResult.Kept) r).errors()).contains(main + ":2:1:")
                    .contains("RFC 5321");
            assertThat(source.current()).isSameAs(before);
            assertThat(source.reloadIfChanged()).as("the broken version is reported once").isNull();
        }
    }

    @Test
    void changedListFileIsReloadedToo() throws Exception {
        write("nets.list", "192.0.2.0/24\n", 1);
        Path main = write("access.rules", "tempfail client @nets.list\n", 1);
        try (FileRuleSource source = FileRuleSource.open(main, PolicySettings.DEFAULTS, CLOCK)) {
            assertThat(source.reloadIfChanged()).isNull();
            write("nets.list", "192.0.2.0/24\n198.51.100.0/24\n", 2);
            assertThat(source.reloadIfChanged()).isInstanceOf(FileRuleSource.ReloadResult.Loaded.class);
            assertThat(source.current().sourceFiles()).contains(main, dir.resolve("nets.list"));
            assertThat(source.reloadIfChanged()).isNull();
        }
    }

    @Test
    void sessionsSeeTheOldSetOrTheNewNeverAMix() throws Exception {
        String a = "accept client 192.0.2.53\ntempfail client 192.0.2.0/24\n";
        String b = "# moved down a line\ntempfail client 192.0.2.0/24\naccept client 192.0.2.53\n";
        Path main = write("access.rules", a, 1);
        PolicyQuery q = RulesEngineTest.rcpt("192.0.2.53", "unknown", MailAddress.NULL_SENDER,
                MailAddress.of("user", "protected.example"));
        try (FileRuleSource source = FileRuleSource.open(main, PolicySettings.DEFAULTS, CLOCK)) {
            RulesEngine engine = new RulesEngine(java.util.List.of(source), PolicySettings.DEFAULTS,
                    DnsblLookup.NONE, CLOCK);
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.CountDownLatch deciding = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CompletableFuture<java.util.Set<String>> seen =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                        java.util.Set<String> out = new java.util.HashSet<>();
                        while (!done.get()) {
                            Decision d = engine.decide(q);
                            out.add(switch (d) {
                                case Decision.Accept x -> "accept " + x.rule().line();
                                case Decision.Tempfail x -> "tempfail " + x.rule().line();
                                default -> d.toString();
                            });
                            deciding.countDown();
                        }
                        return out;
                    });
            // On a loaded machine the reader may start late: the reloads race with its decisions only once it runs.
            assertThat(deciding.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 40; i++) {
                write("access.rules", i % 2 == 0 ? b : a, 2 + i);
                assertThat(source.reload()).isInstanceOf(FileRuleSource.ReloadResult.Loaded.class);
            }
            done.set(true);
            // Set a says accept at line 1; set b says tempfail at line 2. Anything else is a mix.
            assertThat(seen.get()).isSubsetOf("accept 1", "tempfail 2").isNotEmpty();
        }
    }

    @Test
    void brokenFileAtStartIsAnError() throws Exception {
        Path main = write("access.rules", "tempfail client nowhere\n", 1);
        assertThatThrownBy(() -> FileRuleSource.open(main, PolicySettings.DEFAULTS, CLOCK))
                .isInstanceOf(PolicyParseException.class).hasMessageContaining(":1:17:");
    }
}
