package org.mxguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The interval table against a brute-force reading of the same networks: for any address, the
 * rules of every network holding it, in rule order, up to the first terminal one. Networks are
 * dense in a few /20 blocks, so the direct table's inline entries (one or two boundaries) and its
 * searched blocks all occur, as do networks that span many blocks.
 */
class Ipv4PrefixTableTest {

    private record Net(long network, int length, int rule, boolean terminal) {
        boolean contains(long address) {
            return (address & Cidr.maskV4(length)) == network;
        }
    }

    @Test
    void everyLayoutAnswersLikeABruteForceScan() {
        Random random = new Random(7);
        for (int round = 0; round < 40; round++) {
            int count = 1 + random.nextInt(round < 20 ? 12 : 400);
            List<Net> nets = new ArrayList<>();
            Ipv4PrefixTable plain = new Ipv4PrefixTable(Integer.MAX_VALUE);
            Ipv4PrefixTable direct = new Ipv4PrefixTable(1, 20);
            Ipv4PrefixTable coarse = new Ipv4PrefixTable(1);
            for (int rule = 0; rule < count; rule++) {
                int length = random.nextInt(5) == 0 ? 8 + random.nextInt(12) : 20 + random.nextInt(13);
                long base = 0x0a000000L | (random.nextInt(4) << 12) | random.nextInt(1 << 12);
                if (random.nextInt(10) == 0) {
                    base = random.nextInt() & 0xffffffffL;
                }
                long network = base & Cidr.maskV4(length);
                boolean terminal = random.nextInt(3) != 0;
                Net n = new Net(network, length, rule, terminal);
                nets.add(n);
                Cidr cidr = new Cidr(true, 0, network, length);
                plain.add(cidr, rule, terminal);
                direct.add(cidr, rule, terminal);
                coarse.add(cidr, rule, terminal);
                if (random.nextInt(8) == 0) {
                    // The same network in a later rule too, as "client A,B" lists make.
                    int again = ++rule;
                    if (again < count) {
                        nets.add(new Net(network, length, again, false));
                        plain.add(cidr, again, false);
                        direct.add(cidr, again, false);
                        coarse.add(cidr, again, false);
                    }
                }
            }
            plain.freeze();
            direct.freeze();
            coarse.freeze();
            List<Long> probes = new ArrayList<>();
            for (Net n : nets) {
                long end = n.network() + (1L << (32 - n.length())) - 1;
                probes.add(n.network());
                probes.add(end);
                probes.add((n.network() - 1) & 0xffffffffL);
                probes.add((end + 1) & 0xffffffffL);
            }
            for (int i = 0; i < 2000; i++) {
                probes.add(0x0a000000L | random.nextInt(1 << 14));
                probes.add(random.nextInt() & 0xffffffffL);
            }
            for (long address : probes) {
                String expected = bruteForce(nets, address);
                assertThat(read(plain, address)).as("plain, %s", Cidr.dotted(address)).isEqualTo(expected);
                assertThat(read(direct, address)).as("direct, %s", Cidr.dotted(address)).isEqualTo(expected);
                assertThat(read(coarse, address)).as("coarse, %s", Cidr.dotted(address)).isEqualTo(expected);
            }
        }
    }

    private static String bruteForce(List<Net> nets, long address) {
        StringBuilder out = new StringBuilder();
        for (Net n : nets) {
            if (n.contains(address)) {
                out.append(n.rule()).append('/').append(n.length()).append(' ');
                if (n.terminal()) {
                    break;
                }
            }
        }
        return out.toString();
    }

    private static String read(Ipv4PrefixTable table, long address) {
        int value = table.lookup(address);
        CandidateList list = new CandidateList();
        if (Ipv4PrefixTable.single(value)) {
            if (value != 0) {
                list.add(Ipv4PrefixTable.rule(value), table.length(value));
            }
        } else {
            table.addList(value, list);
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < list.size(); i++) {
            out.append(list.rule(i)).append('/').append(list.length(i)).append(' ');
        }
        return out.toString();
    }
}
