package org.mxguard.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mxguard.policy.Decision;
import org.mxguard.policy.RuleRef;

/**
 * The 16 classic relay tricks of nmap's smtp-open-relay script, played as transcripts in one session
 * with RSET between them as nmap does. Run twice: with the server's own name and address unprotected,
 * and with both protected, so that the tricks that hide a foreign domain in the local part or in a
 * source route meet a protected final domain. Even a policy that accepts everything opens nothing.
 */
class RelayTricksIT {

    private static final String DOMAIN = "nmap.scanme.org";
    private static final String IP = "127.0.0.1";

    static List<String[]> tricks(String srvname) {
        String from = "antispam";
        String to = "relaytest";
        String ipFrom = from + "@[" + IP + "]";
        return List.of(
                new String[] {"", to + "@" + DOMAIN},
                new String[] {from + "@" + DOMAIN, to + "@" + DOMAIN},
                new String[] {from + "@" + srvname, to + "@" + DOMAIN},
                new String[] {ipFrom, to + "@" + DOMAIN},
                new String[] {ipFrom, to + "%" + DOMAIN + "@[" + IP + "]"},
                new String[] {ipFrom, to + "%" + DOMAIN + "@" + srvname},
                new String[] {ipFrom, "\"" + to + "@" + DOMAIN + "\""},
                new String[] {ipFrom, "\"" + to + "%" + DOMAIN + "\""},
                new String[] {ipFrom, to + "@" + DOMAIN + "@[" + IP + "]"},
                new String[] {ipFrom, "\"" + to + "@" + DOMAIN + "\"@[" + IP + "]"},
                new String[] {ipFrom, to + "@" + DOMAIN + "@" + srvname},
                new String[] {ipFrom, "@[" + IP + "]:" + to + "@" + DOMAIN},
                new String[] {ipFrom, "@" + srvname + ":" + to + "@" + DOMAIN},
                new String[] {ipFrom, DOMAIN + "!" + to},
                new String[] {ipFrom, DOMAIN + "!" + to + "@[" + IP + "]"},
                new String[] {ipFrom, DOMAIN + "!" + to + "@" + srvname});
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void noneOfTheSixteenTricksRelays(boolean ownNameProtected) throws Exception {
        String srvname = ownNameProtected ? "mx.sub.example.net" : "mx2.example.org";
        List<String> protectedDomains = ownNameProtected
                ? List.of("example.org", ".sub.example.net", "[" + IP + "]")
                : List.of("example.org");
        try (TestServer server = TestServer.start(
                s -> s.withHostname(srvname).withProtectedDomains(protectedDomains),
                query -> new Decision.Accept(new RuleRef("test.rules", 1)));
                SmtpTestClient client = server.connect()) {
            client.expect("220 " + srvname);
            client.send("EHLO " + DOMAIN + "\r\n");
            client.expect("250");
            int relayed = 0;
            for (String[] trick : tricks(srvname)) {
                client.send("RSET\r\n");
                client.expect("250");
                client.send("MAIL FROM:<" + trick[0] + ">\r\n");
                client.expect("250");
                client.send("RCPT TO:<" + trick[1] + ">\r\n");
                String reply = client.reply();
                assertThat(reply).as("RCPT TO:<%s>", trick[1]).matches("5(50 5\\.7\\.1|01 5\\.1\\.3) .*");
                if (reply.startsWith("2")) {
                    relayed++;
                }
            }
            assertThat(relayed).isZero();
            client.send("QUIT\r\n");
            client.expect("221");
        }
    }
}
