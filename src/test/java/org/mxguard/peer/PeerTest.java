package org.mxguard.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerTest {

    @TempDir
    Path dir;

    @Test
    void aMissingPeerFailsSayingHowToGetIt() {
        assertThatThrownBy(() -> Peer.find("dnsmasq", List.of(dir)))
                .isInstanceOf(AssertionError.class)
                .hasMessage("dnsmasq not found in [" + dir + "]: run scripts/test, which installs the tests' peers, "
                        + "or apt-get install dnsmasq-base (to leave out the peer tests: "
                        + "mvn test -Dsurefire.excludedGroups=peer)");
    }

    @Test
    void aPresentPeerIsFoundByItsPath() throws Exception {
        Path program = Files.createFile(dir.resolve("smtp-sink"));
        assertThat(program.toFile().setExecutable(true)).isTrue();
        assertThat(Peer.find("smtp-sink", List.of(dir.resolve("elsewhere"), dir))).isEqualTo(program.toString());
    }

    @Test
    void everyPeerPackageIsOneThatTheTestScriptInstalls() throws Exception {
        String script = Files.readString(Path.of("scripts/packages.sh"));
        String list = script.substring(script.indexOf("MXGUARD_TEST_PACKAGES=\"") + 23);
        List<String> installed = List.of(list.substring(0, list.indexOf('"')).split("\\s+"));
        assertThat(installed).containsAll(Peer.PACKAGES.values());
    }

    @Test
    void anUnknownPeerIsAProgrammingError() {
        assertThatThrownBy(() -> Peer.find("frobnicate", List.of(dir))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("scripts/packages.sh");
    }
}
