package org.mxguard.evidence;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.BiPredicate;
import java.util.function.Function;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * One kind of evidence: a concurrent map in memory that every read and write uses, and a map of
 * the store file written behind it. A write marks its key dirty; {@link #writeDirty()} later copies
 * the current value of each dirty key (or its absence) to the file. Many writes of one key between
 * two passes cost one file write, and the dirty set is never larger than the map: memory follows the
 * number of keys, not the number of writes.
 */
final class PersistentTable<K, V> {

    private final Map<K, V> memory = new ConcurrentHashMap<>();
    private final Set<K> dirty = ConcurrentHashMap.newKeySet();
    private final MVMap<String, String> file;
    private final Function<K, String> keyText;
    private final Function<V, String> valueText;

    PersistentTable(MVStore store, String name, Function<K, String> keyText, Function<V, String> valueText,
            Function<String, K> keyParser, BiFunction<K, String, V> valueParser) {
        this.file = store.openMap(name);
        this.keyText = keyText;
        this.valueText = valueText;
        for (Map.Entry<String, String> e : file.entrySet()) {
            try {
                K key = keyParser.apply(e.getKey());
                memory.put(key, valueParser.apply(key, e.getValue()));
            } catch (RuntimeException unreadable) {
                // An entry an older or newer version wrote differently is evidence lost, not a start failure.
                file.remove(e.getKey());
            }
        }
    }

    V get(K key) {
        return memory.get(key);
    }

    void put(K key, V value) {
        memory.put(key, value);
        dirty.add(key);
    }

    V putIfAbsent(K key, V value) {
        V old = memory.putIfAbsent(key, value);
        if (old == null) {
            dirty.add(key);
        }
        return old;
    }

    V merge(K key, V value, BiFunction<V, V, V> remapping) {
        V merged = memory.merge(key, value, remapping);
        dirty.add(key);
        return merged;
    }

    boolean remove(K key) {
        boolean had = memory.remove(key) != null;
        if (had) {
            dirty.add(key);
        }
        return had;
    }

    Iterable<V> values() {
        return memory.values();
    }

    int size() {
        return memory.size();
    }

    /** Removes every entry the predicate calls expired; returns how many. */
    int removeIf(BiPredicate<K, V> expired) {
        int removed = 0;
        for (Map.Entry<K, V> e : memory.entrySet()) {
            if (expired.test(e.getKey(), e.getValue()) && memory.remove(e.getKey(), e.getValue())) {
                dirty.add(e.getKey());
                removed++;
            }
        }
        return removed;
    }

    /** Replaces each value by the function's result (same value: untouched; null: removed). */
    void replaceAll(BiFunction<K, V, V> change) {
        for (Map.Entry<K, V> e : memory.entrySet()) {
            V fresh = change.apply(e.getKey(), e.getValue());
            if (fresh == e.getValue()) {
                continue;
            }
            boolean done = fresh == null ? memory.remove(e.getKey(), e.getValue())
                    : memory.replace(e.getKey(), e.getValue(), fresh);
            if (done) {
                dirty.add(e.getKey());
            }
        }
    }

    /** Copies the dirty keys' current values to the file map (not yet committed); returns how many. */
    int writeDirty() {
        int written = 0;
        for (K key : dirty) {
            dirty.remove(key);
            V value = memory.get(key);
            if (value == null) {
                file.remove(keyText.apply(key));
            } else {
                file.put(keyText.apply(key), valueText.apply(value));
            }
            written++;
        }
        return written;
    }
}
