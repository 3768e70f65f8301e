package org.mxguard.evidence;

import java.time.Instant;
import java.util.Arrays;

/**
 * The refused (sender, recipient) pairs of one client, each with when it was first refused: what
 * retry credit is earned against. At most {@link #MAX} pairs per client, the oldest forgotten first,
 * so a spam run with a new sender or recipient in every message costs a fixed amount per client,
 * not per message. Pairs are kept as 64-bit hashes (FNV-1a).
 *
 * @param hashes the pairs' hashes, oldest first
 * @param firstSeconds when each was first refused, epoch seconds
 */
record Attempts(long[] hashes, long[] firstSeconds) {

    static final int MAX = 16;

    static final Attempts NONE = new Attempts(new long[0], new long[0]);

    /** When the pair was first refused, or null. */
    Instant first(long hash) {
        for (int i = 0; i < hashes.length; i++) {
            if (hashes[i] == hash) {
                return Instant.ofEpochSecond(firstSeconds[i]);
            }
        }
        return null;
    }

    /** These attempts plus the pair, first refused at {@code at}; unchanged when the pair is known. */
    Attempts with(long hash, Instant at) {
        if (first(hash) != null) {
            return this;
        }
        int keep = Math.min(hashes.length, MAX - 1);
        int from = hashes.length - keep;
        long[] h = Arrays.copyOfRange(hashes, from, from + keep + 1);
        long[] t = Arrays.copyOfRange(firstSeconds, from, from + keep + 1);
        h[keep] = hash;
        t[keep] = at.getEpochSecond();
        return new Attempts(h, t);
    }

    /**
     * These attempts and another host's of the same client: each pair with the earlier of its two
     * first-refusal times, at most {@link #MAX} pairs, the oldest forgotten first.
     */
    Attempts union(Attempts other) {
        Attempts out = this;
        for (int i = 0; i < other.hashes.length; i++) {
            Instant mine = out.first(other.hashes[i]);
            if (mine == null) {
                out = out.with(other.hashes[i], Instant.ofEpochSecond(other.firstSeconds[i]));
            } else if (other.firstSeconds[i] < mine.getEpochSecond()) {
                long[] t = out.firstSeconds.clone();
                for (int j = 0; j < out.hashes.length; j++) {
                    if (out.hashes[j] == other.hashes[i]) {
                        t[j] = other.firstSeconds[i];
                    }
                }
                out = new Attempts(out.hashes, t);
            }
        }
        return out;
    }

    /** The newest first-refusal time, for expiry. */
    Instant newest() {
        long max = Long.MIN_VALUE;
        for (long t : firstSeconds) {
            max = Math.max(max, t);
        }
        return Instant.ofEpochSecond(max);
    }

    /** These attempts without those first refused before {@code cutoff}, or null when none are left. */
    Attempts since(Instant cutoff) {
        long c = cutoff.getEpochSecond();
        int n = 0;
        for (long t : firstSeconds) {
            if (t >= c) {
                n++;
            }
        }
        if (n == hashes.length) {
            return this;
        }
        if (n == 0) {
            return null;
        }
        long[] h = new long[n];
        long[] t = new long[n];
        for (int i = 0, j = 0; i < hashes.length; i++) {
            if (firstSeconds[i] >= c) {
                h[j] = hashes[i];
                t[j++] = firstSeconds[i];
            }
        }
        return new Attempts(h, t);
    }

    static long hash(String sender, String recipient) {
        long h = 0xcbf29ce484222325L;
        String text = sender + "\u0000" + recipient;
        for (int i = 0; i < text.length(); i++) {
            h ^= text.charAt(i);
            h *= 0x100000001b3L;
        }
        return h;
    }

    String text() {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < hashes.length; i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(Long.toHexString(hashes[i])).append(':').append(firstSeconds[i]);
        }
        return out.toString();
    }

    static Attempts parse(String text) {
        if (text.isEmpty()) {
            return NONE;
        }
        String[] parts = text.split(",");
        long[] h = new long[parts.length];
        long[] t = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            int colon = parts[i].indexOf(':');
            h[i] = Long.parseUnsignedLong(parts[i].substring(0, colon), 16);
            t[i] = Long.parseLong(parts[i].substring(colon + 1));
        }
        return new Attempts(h, t);
    }
}
