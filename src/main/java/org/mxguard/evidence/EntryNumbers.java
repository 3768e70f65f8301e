package org.mxguard.evidence;

/**
 * Which entry of the store file holds each key: a map from a key's 64-bit hash to its entry number,
 * in two arrays of longs (open addressing, linear probing) instead of a map of objects, so that a
 * few million keys cost 32 bytes each and nothing for the garbage collector to trace. One thread
 * uses it (the store's writer).
 *
 * <p>Two keys with the same 64-bit hash (about one chance in 10^12 for a million keys) share a slot:
 * writing the second removes the first one's entry from the file, which then holds only the second;
 * the first is still in memory, and only a restart forgets it.
 */
final class EntryNumbers {

    /** Marks an empty slot: a hash equal to it is stored as {@link #ZERO_HASH}. */
    private static final long EMPTY = 0;
    private static final long ZERO_HASH = 1;

    private long[] hashes = new long[1024];
    private long[] numbers = new long[1024];
    private int size;

    static long hash(String key) {
        // FNV-1a, then a final mix so that similar keys (addresses) spread over the table.
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < key.length(); i++) {
            h ^= key.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return h == EMPTY ? ZERO_HASH : h;
    }

    /** Sets the key's entry number; returns the one it replaces, or -1. */
    long put(long hash, long number) {
        if (size * 2 >= hashes.length) {
            grow();
        }
        int mask = hashes.length - 1;
        for (int i = (int) hash & mask;; i = (i + 1) & mask) {
            if (hashes[i] == EMPTY) {
                hashes[i] = hash;
                numbers[i] = number;
                size++;
                return -1;
            }
            if (hashes[i] == hash) {
                long old = numbers[i];
                numbers[i] = number;
                return old;
            }
        }
    }

    /** Forgets the key; returns its entry number, or -1. */
    long remove(long hash) {
        int mask = hashes.length - 1;
        int i = (int) hash & mask;
        while (hashes[i] != hash) {
            if (hashes[i] == EMPTY) {
                return -1;
            }
            i = (i + 1) & mask;
        }
        long old = numbers[i];
        // Backward-shift deletion: later entries of the probe run move up, so no tombstones are needed.
        int gap = i;
        for (int j = (i + 1) & mask; hashes[j] != EMPTY; j = (j + 1) & mask) {
            int home = (int) hashes[j] & mask;
            if (((j - home) & mask) >= ((j - gap) & mask)) {
                hashes[gap] = hashes[j];
                numbers[gap] = numbers[j];
                gap = j;
            }
        }
        hashes[gap] = EMPTY;
        size--;
        return old;
    }

    int size() {
        return size;
    }

    private void grow() {
        long[] oldHashes = hashes;
        long[] oldNumbers = numbers;
        hashes = new long[oldHashes.length * 2];
        numbers = new long[oldNumbers.length * 2];
        size = 0;
        for (int i = 0; i < oldHashes.length; i++) {
            if (oldHashes[i] != EMPTY) {
                put(oldHashes[i], oldNumbers[i]);
            }
        }
    }
}
