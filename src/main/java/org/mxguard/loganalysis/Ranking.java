package org.mxguard.loganalysis;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.stream.IntStream;
import org.mxguard.hostclass.DynamicHostClassifier;

/**
 * Judges every client, sums them per network and per rDNS subdomain, and proposes the rules: for
 * each cluster of offenders, the smallest network or subdomain that holds them all and no
 * legitimate client. Where a wider source holds a legitimate client, the proposal narrows to the
 * next level down, and at the bottom to single addresses.
 */
final class Ranking {

    private final AnalyzerSettings settings;
    private final boolean primaryChecked;
    private final List<ClientVerdict> verdicts = new ArrayList<>();
    private final Map<String, SourceStats> networks;
    private final Map<String, SourceStats> domains;
    private final List<Proposal> proposals = new ArrayList<>();
    private List<ClientVerdict> ranked;

    Ranking(Map<String, ClientStats> clients, Set<String> primaryContacts, boolean primaryChecked,
            AnalyzerSettings settings) {
        this(new ArrayList<>(clients.values()), primaryContacts, primaryChecked, settings);
    }

    Ranking(List<ClientStats> all, Set<String> primaryContacts, boolean primaryChecked, AnalyzerSettings settings) {
        this.settings = settings;
        this.primaryChecked = primaryChecked;
        // Judging a client (name classification, public suffix, prefixes) is the costly part and
        // independent per client: done on all cores, then summed in the list's order, one thread.
        // Networks are summed from the /24 and /16 (/64 and /48) up: a single address is a source
        // of one client, made when it is proposed (see network), not for each of tens of thousands.
        networks = HashMap.newHashMap(all.size() * 2);
        domains = HashMap.newHashMap(all.size() * 2);
        ClientVerdict[] judged = new ClientVerdict[all.size()];
        String[][] prefixes = new String[all.size()][];
        IntStream.range(0, all.size()).parallel().forEach(i -> {
            ClientStats c = all.get(i);
            judged[i] = new ClientVerdict(c, primaryChecked, primaryContacts.contains(c.ip), settings);
            int[] levels = NetworkPrefix.levels(c.ip);
            String[] p = new String[levels.length - 1];
            for (int l = 1; l < levels.length; l++) {
                p[l - 1] = NetworkPrefix.of(c.ip, levels[l]);
                // Hashed here, in parallel, so that summing on one thread finds the hashes made.
                p[l - 1].hashCode();
            }
            judged[i].domains.forEach(String::hashCode);
            prefixes[i] = p;
        });
        for (int i = 0; i < judged.length; i++) {
            ClientVerdict v = judged[i];
            verdicts.add(v);
            for (String prefix : prefixes[i]) {
                networks.computeIfAbsent(prefix, SourceStats::new).add(v);
            }
            for (String d : v.domains) {
                domains.computeIfAbsent(d, SourceStats::new).add(v);
            }
        }
        proposeNetworks();
        proposeDomains();
        proposals.sort(Ranking::byProposalRank);
    }

    /**
     * Highest score first, then most null-sender transactions, then by address. One method rather
     * than a chain of comparator lambdas: the sort runs once, mostly before the JIT has compiled
     * it, and each level of a chain costs a call there.
     */
    private static int byRank(ClientVerdict a, ClientVerdict b) {
        int c = Integer.compare(b.score.value(), a.score.value());
        if (c == 0) {
            c = Long.compare(b.stats.nullTransactions(), a.stats.nullTransactions());
        }
        return c != 0 ? c : a.stats.ip.compareTo(b.stats.ip);
    }

    /** Highest score first, then most null-sender transactions, then by target. */
    private static int byProposalRank(Proposal a, Proposal b) {
        int c = Integer.compare(b.score().value(), a.score().value());
        if (c == 0) {
            c = Long.compare(b.nullTransactions(), a.nullTransactions());
        }
        return c != 0 ? c : a.target().compareTo(b.target());
    }

    /** Every client's verdict, in no particular order. */
    List<ClientVerdict> verdicts() {
        return verdicts;
    }

    /**
     * The first {@code limit} verdicts by rank. The reports show the top few, and ordering tens of
     * thousands of clients for them would be the longest step of the ranking: only as many are
     * ordered as are asked for, and the whole list only once, when it is.
     */
    synchronized List<ClientVerdict> ranked(int limit) {
        if (ranked != null || limit >= verdicts.size() / 8) {
            if (ranked == null) {
                ClientVerdict[] all = verdicts.toArray(new ClientVerdict[0]);
                // The order is total (addresses are unique), so sorting in parallel gives the one result.
                Arrays.parallelSort(all, Ranking::byRank);
                ranked = List.of(all);
            }
            return ranked.subList(0, Math.min(limit, ranked.size()));
        }
        // The best `limit` so far, the worst of them at the head.
        PriorityQueue<ClientVerdict> best = new PriorityQueue<>(Math.max(1, limit), (a, b) -> byRank(b, a));
        for (ClientVerdict v : verdicts) {
            if (best.size() < limit) {
                best.add(v);
            } else if (limit > 0 && byRank(v, best.peek()) < 0) {
                best.poll();
                best.add(v);
            }
        }
        ClientVerdict[] top = best.toArray(new ClientVerdict[0]);
        Arrays.sort(top, Ranking::byRank);
        return List.of(top);
    }

    List<Proposal> proposals() {
        return proposals;
    }

    /** Parent domains of a host name, nearest first, down to its registered domain. */
    static List<String> domainLevels(String name) {
        if (name == null || name.indexOf('.') < 0) {
            return List.of();
        }
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        String registered = DynamicHostClassifier.registeredDomain(lower);
        List<String> out = new ArrayList<>(4);
        int dot = lower.indexOf('.');
        while (dot >= 0) {
            String parent = lower.substring(dot + 1);
            if (registered == null || parent.length() < registered.length()) {
                break;
            }
            out.add(parent);
            dot = lower.indexOf('.', dot + 1);
        }
        return out;
    }

    private void proposeNetworks() {
        Map<String, List<ClientVerdict>> widest = new LinkedHashMap<>();
        for (ClientVerdict v : verdicts) {
            if (v.offender) {
                int[] levels = NetworkPrefix.levels(v.stats.ip);
                widest.computeIfAbsent(NetworkPrefix.of(v.stats.ip, levels[levels.length - 1]),
                        k -> new ArrayList<>()).add(v);
            }
        }
        widest.forEach((prefix, offenders) -> proposeNetwork(prefix, NetworkPrefix.levels(
                offenders.getFirst().stats.ip).length - 1, offenders));
    }

    private void proposeNetwork(String prefix, int level, List<ClientVerdict> offenders) {
        int[] levels = NetworkPrefix.levels(offenders.getFirst().stats.ip);
        SourceStats here = network(prefix, level, offenders);
        if (level > 0 && here.legitimate == 0 && offenders.size() >= settings.minClientsPerRule()) {
            int narrowest = level;
            while (narrowest > 0 && allShare(offenders, levels[narrowest - 1])) {
                narrowest--;
            }
            String target = NetworkPrefix.of(offenders.getFirst().stats.ip, levels[narrowest]);
            proposals.add(Proposal.of(narrowest == 0 ? Proposal.Kind.ADDRESS : Proposal.Kind.NETWORK, target,
                    network(target, narrowest, offenders), primaryChecked));
            return;
        }
        if (level == 0) {
            proposals.add(Proposal.of(Proposal.Kind.ADDRESS, prefix, here, primaryChecked));
            return;
        }
        Map<String, List<ClientVerdict>> children = new LinkedHashMap<>();
        for (ClientVerdict v : offenders) {
            children.computeIfAbsent(NetworkPrefix.of(v.stats.ip, levels[level - 1]), k -> new ArrayList<>()).add(v);
        }
        children.forEach((child, offs) -> proposeNetwork(child, level - 1, offs));
    }

    /** The sums of a network that holds these offenders; at level 0 their one address. */
    private SourceStats network(String prefix, int level, List<ClientVerdict> offenders) {
        if (level > 0) {
            return networks.get(prefix);
        }
        // Offenders that share their full address are one client.
        SourceStats one = new SourceStats(prefix);
        one.add(offenders.getFirst());
        return one;
    }

    private static boolean allShare(List<ClientVerdict> offenders, int bits) {
        String first = NetworkPrefix.of(offenders.getFirst().stats.ip, bits);
        return offenders.stream().allMatch(v -> NetworkPrefix.of(v.stats.ip, bits).equals(first));
    }

    private void proposeDomains() {
        Map<String, List<ClientVerdict>> byRegistered = new LinkedHashMap<>();
        for (ClientVerdict v : verdicts) {
            List<String> levels = v.domains;
            if (v.offender && v.dynamic.dynamic() && !levels.isEmpty()) {
                byRegistered.computeIfAbsent(levels.getLast(), k -> new ArrayList<>()).add(v);
            }
        }
        byRegistered.forEach(this::proposeDomain);
    }

    private void proposeDomain(String domain, List<ClientVerdict> offenders) {
        SourceStats here = domains.get(domain);
        if (offenders.size() < settings.minClientsPerRule()) {
            return;
        }
        if (here.legitimate == 0) {
            String target = domain;
            String deeper;
            while ((deeper = commonChild(target, offenders)) != null) {
                target = deeper;
            }
            proposals.add(Proposal.of(Proposal.Kind.NAME, "." + target, domains.get(target), primaryChecked));
            return;
        }
        Map<String, List<ClientVerdict>> children = new LinkedHashMap<>();
        for (ClientVerdict v : offenders) {
            String child = childOf(domain, v);
            if (child != null) {
                children.computeIfAbsent(child, k -> new ArrayList<>()).add(v);
            }
        }
        children.forEach(this::proposeDomain);
    }

    /** The subdomain of {@code domain} that all offenders' parents lie in, if they share one. */
    private static String commonChild(String domain, List<ClientVerdict> offenders) {
        String common = null;
        for (ClientVerdict v : offenders) {
            String child = childOf(domain, v);
            if (child == null || common != null && !common.equals(child)) {
                return null;
            }
            common = child;
        }
        return common;
    }

    /** The next domain below {@code domain} on the way to the client's name, or null. */
    private static String childOf(String domain, ClientVerdict v) {
        List<String> levels = v.domains;
        int i = levels.indexOf(domain);
        return i > 0 ? levels.get(i - 1) : null;
    }
}
