package org.mxguard.evidence;

import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import org.mxguard.policy.Cidr;

/**
 * The text form of each kind of evidence in the store file: tab-separated fields, so that the file
 * can be read back by any version and inspected with H2's tools. Tabs and line ends inside fields
 * (a HELO argument, an operator's reason) become spaces.
 */
final class StoreCodec {

    private StoreCodec() {
    }

    static String contact(PrimaryContact c) {
        return join(c.at().toString(), c.source().name(), c.nullSender() ? "1" : "0", c.client().getHostAddress(),
                c.clientName(), c.helo() == null ? "" : c.helo(), c.primary());
    }

    static PrimaryContact contact(String text) {
        String[] f = text.split("\t", -1);
        return new PrimaryContact(Cidr.parse(f[3]).address(), f[4], f[5].isEmpty() ? null : f[5], f[2].equals("1"),
                f[6], Instant.parse(f[0]), PrimaryContact.Source.valueOf(f[1]));
    }

    static String aggregate(Aggregate a) {
        return join(Long.toString(a.attempts()), Long.toString(a.nullSender()), a.first().toString(),
                a.last().toString(), String.join(",", a.clients()));
    }

    static Aggregate aggregate(String source, String text) {
        String[] f = text.split("\t", -1);
        Set<String> clients = f[4].isEmpty() ? Set.of() : new LinkedHashSet<>(Arrays.asList(f[4].split(",")));
        return new Aggregate(source, clients, Long.parseLong(f[0]), Long.parseLong(f[1]), Instant.parse(f[2]),
                Instant.parse(f[3]));
    }

    static String block(Block b) {
        return join(b.origin().name(), b.host(), b.created().toString(), b.expires() == null ? "" : b.expires().toString(),
                b.rule(), b.evidence());
    }

    static Block block(String target, String text) {
        String[] f = text.split("\t", -1);
        return new Block(target, Block.Origin.valueOf(f[0]), f[1], Instant.parse(f[2]),
                f[3].isEmpty() ? null : Instant.parse(f[3]), f[4], f[5]);
    }

    private static String join(String... fields) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < fields.length; i++) {
            if (i > 0) {
                out.append('\t');
            }
            out.append(fields[i].replace('\t', ' ').replace('\n', ' ').replace('\r', ' '));
        }
        return out.toString();
    }
}
