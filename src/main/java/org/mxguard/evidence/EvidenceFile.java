package org.mxguard.evidence;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.h2.mvstore.type.LongDataType;
import org.h2.mvstore.type.StringDataType;

/**
 * The embedded store's file: H2's MVStore, one map from a write number to {@code key TAB value}
 * (the local view's key layout and text), in the order the values were written. A key written again
 * gets a new number and its old entry is removed, so the file holds one entry per key.
 *
 * <p>Why in write order and not by key: MVStore is a copy-on-write B-tree, and a commit rewrites
 * every page it changed. Keyed by address, each new client lands in a random leaf, so a commit of
 * a few thousand new clients rewrote thousands of pages, more as the store grew (a CPU and 1.5 GB of
 * file for 1.5 million clients, docs/BENCHMARKS.md). Numbered, new keys go to the last leaf: a
 * commit writes about what changed. Only the writer thread calls {@link #write} and {@link #commit}.
 *
 * <p>Blocks are kept apart, in a second map keyed by target ({@link #BLOCKS}): they are few, and a
 * server that reads the rest of the file after its listeners are up must enforce them from the first
 * connection, without scanning a million contacts to find them. A file without that map was written
 * by an earlier version: its blocks are in the log, and it is read whole before the server listens.
 */
final class EvidenceFile implements AutoCloseable {

    static final String MAP = "evidence";
    /** The blocks, target to text; its presence marks a file whose log holds no block. */
    static final String BLOCKS = "block-targets";
    /** The maps an earlier version kept, one per kind, keyed by text; read once and then removed. */
    private static final Map<String, String> OLD_MAPS = Map.of("contacts", LocalView.CONTACT, "attempts",
            LocalView.ATTEMPTS, "credits", LocalView.CREDIT, "aggregates", LocalView.AGGREGATE, "covered",
            LocalView.COVERED, "blocks", LocalView.BLOCK);

    private final Path path;
    private final MVStore store;
    private final MVMap<Long, String> log;
    private final MVMap<String, String> blocks;
    /** False for a file written by an earlier version, whose blocks are in the log. */
    private final boolean blocksApart;
    /** Each key's entry in {@link #log}. */
    private final EntryNumbers written = new EntryNumbers();
    /** The entries replaced in a write pass, removed at its end (after the appends). */
    private long[] replaced = new long[256];
    private long next;

    private EvidenceFile(Path path, MVStore store) {
        this.path = path;
        this.store = store;
        this.log = store.openMap(MAP, new MVMap.Builder<Long, String>().keyType(LongDataType.INSTANCE)
                .valueType(StringDataType.INSTANCE).singleWriter());
        // An empty file is new: its blocks go to their own map from the start.
        this.blocksApart = store.hasMap(BLOCKS) || log.isEmpty() && OLD_MAPS.keySet().stream().noneMatch(store::hasMap);
        this.blocks = store.openMap(BLOCKS);
        Long last = log.lastKey();
        next = last == null ? 0 : last + 1;
    }

    /** @throws IOException when the file is locked by another process or unreadable */
    static EvidenceFile open(Path path) throws IOException {
        try {
            return new EvidenceFile(path, new MVStore.Builder().fileName(path.toString()).autoCommitDisabled().open());
        } catch (MVStoreException e) {
            throw new IOException("evidence store " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * False when the file was written by an earlier version that kept blocks in the log: then only a
     * whole {@link #load} finds them, and the caller reads it all before deciding anything.
     */
    boolean blocksApart() {
        return blocksApart;
    }

    /** Reads the blocks into the view; one that cannot be read is removed. */
    void loadBlocks(LocalView view) {
        List<String> unreadable = new ArrayList<>();
        for (Map.Entry<String, String> e : blocks.entrySet()) {
            try {
                view.apply(LocalView.BLOCK + e.getKey(), e.getValue());
            } catch (RuntimeException e2) {
                unreadable.add(e.getKey());
            }
        }
        unreadable.forEach(blocks::remove);
    }

    /** The entries in the log (blocks apart), for the progress of a load. */
    long logSize() {
        return log.sizeAsLong();
    }

    /**
     * Reads the file into the view (and an earlier version's maps, which the next write replaces).
     * An entry that cannot be read is evidence lost, not a start failure: it is removed. Returns the
     * keys the caller must have written again: an earlier version's maps, and blocks found in the log.
     *
     * @param host this host's name, for the aggregates an earlier version kept without one
     * @param progress told of every entry read; returns false to stop reading (the store closes)
     */
    List<String> load(LocalView view, String host, LongPredicate progress) {
        List<Long> unreadable = new ArrayList<>();
        List<String> migrated = new ArrayList<>();
        Iterator<Map.Entry<Long, String>> entries = log.entrySet().iterator();
        long read = 0;
        while (entries.hasNext() && progress.test(++read)) {
            Map.Entry<Long, String> e = entries.next();
            String entry = e.getValue();
            int tab = entry.indexOf('\t');
            try {
                String key = entry.substring(0, tab);
                view.apply(key, entry.substring(tab + 1));
                if (key.startsWith(LocalView.BLOCK)) {
                    migrated.add(key);
                }
                long older = written.put(EntryNumbers.hash(key), e.getKey());
                if (older >= 0) {
                    // A write cut short between the new entry and the removal of the old one.
                    log.remove(older);
                }
            } catch (RuntimeException e2) {
                unreadable.add(e.getKey());
            }
        }
        unreadable.forEach(log::remove);
        for (Map.Entry<String, String> old : OLD_MAPS.entrySet()) {
            if (!store.hasMap(old.getKey())) {
                continue;
            }
            MVMap<String, String> map = store.openMap(old.getKey());
            for (Map.Entry<String, String> e : map.entrySet()) {
                String key = old.getValue() + (old.getValue().equals(LocalView.AGGREGATE) ? host + ":" : "") + e.getKey();
                try {
                    view.apply(key, e.getValue());
                    migrated.add(key);
                } catch (RuntimeException e2) {
                    // As above: lost, not fatal.
                }
            }
        }
        return migrated;
    }

    /** Removes an earlier version's maps, once their keys have been written in this file's layout. */
    void dropOldMaps() {
        for (String name : OLD_MAPS.keySet()) {
            if (store.hasMap(name)) {
                store.removeMap(name);
            }
        }
    }

    /**
     * Writes the keys' current values (or their absence) from the view; not yet committed. Returns
     * how many entries changed.
     */
    int write(Iterator<String> keys, LocalView view) {
        int changed = 0;
        int replacedCount = 0;
        while (keys.hasNext()) {
            String key = keys.next();
            LocalView.Current current = view.current(key);
            long hash = EntryNumbers.hash(key);
            long old;
            if (key.startsWith(LocalView.BLOCK)) {
                String target = key.substring(LocalView.BLOCK.length());
                if (current == null) {
                    blocks.remove(target);
                } else {
                    blocks.put(target, current.text());
                }
                // An earlier version's entry in the log, if any.
                old = written.remove(hash);
            } else if (current == null) {
                old = written.remove(hash);
            } else {
                long number = next++;
                // Numbers only grow: MVStore's append fills the last leaf in bulk, without a copy of
                // the tree's path for every entry.
                log.append(number, key + "\t" + current.text());
                old = written.put(hash, number);
            }
            if (old >= 0) {
                if (replacedCount == replaced.length) {
                    replaced = Arrays.copyOf(replaced, replacedCount * 2);
                }
                replaced[replacedCount++] = old;
            }
            changed++;
        }
        // The append buffer into the tree before any other change (MVMap.append's contract), and
        // before the commit that must see it.
        log.flushAndGetRoot();
        for (int i = 0; i < replacedCount; i++) {
            log.remove(replaced[i]);
        }
        return changed;
    }

    /** Makes what was written durable (an MVStore commit: a chunk appended to the file). */
    void commit() {
        if (store.hasUnsavedChanges()) {
            store.commit();
        }
    }

    boolean isClosed() {
        return store.isClosed();
    }

    /** The entries in the file. */
    int size() {
        return written.size();
    }

    Path path() {
        return path;
    }

    @Override
    public void close() {
        store.close();
    }
}
