package org.mxguard.evidence;

import java.time.Instant;
import java.util.Arrays;

/**
 * The refused (sender, recipient) pairs of one client, each with when it was first refused: what
 * retry credit is earned against. At most {@link #MAX} pairs per client, so a spam run with a new
 * sender or recipient in every message costs a fixed amount per client, not per message. A full
 * table makes room only by dropping expired pairs, never one that can still earn credit: a busy MTA
 * that offers more than {@code MAX} messages within one retry interval must find its first tries
 * when it retries them, and one such retry earns credit for the whole client, which covers the
 * messages that were not recorded. Pairs are kept as 64-bit hashes (FNV-1a).
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

    /**
     * These attempts plus the pair, first refused at {@code at}; unchanged when the pair is known, or
     * when the table is full of pairs first refused at or after {@code expiredBefore} (the new pair
     * is then not recorded: evicting an older pair would forget a try whose retry may be on its way).
     */
    Attempts with(long hash, Instant at, Instant expiredBefore) {
        if (first(hash) != null) {
            return this;
        }
        Attempts kept = this;
        if (hashes.length >= MAX) {
            kept = since(expiredBefore);
            if (kept == null) {
                kept = NONE;
            } else if (kept.hashes.length >= MAX) {
                return this;
            }
        }
        int n = kept.hashes.length;
        long[] h = Arrays.copyOf(kept.hashes, n + 1);
        long[] t = Arrays.copyOf(kept.firstSeconds, n + 1);
        h[n] = hash;
        t[n] = at.getEpochSecond();
        return new Attempts(h, t);
    }

    /**
     * These attempts and another host's of the same client: each pair with the earlier of its two
     * first-refusal times, at most {@link #MAX} pairs: when the table is full, the other host's
     * further pairs are not kept, as in {@link #with} (a kept pair may have its retry on the way).
     */
    Attempts union(Attempts other) {
        Attempts out = this;
        for (int i = 0; i < other.hashes.length; i++) {
            Instant mine = out.first(other.hashes[i]);
            if (mine == null) {
                out = out.with(other.hashes[i], Instant.ofEpochSecond(other.firstSeconds[i]), Instant.MIN);
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
