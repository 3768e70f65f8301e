package org.mxguard.evidence;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is told that a store's set of blocks changed (the policy's block rules, the block maker). A
 * listener that fails is logged and the others are still told: one broken subscriber must not keep
 * a block out of force.
 */
final class BlockListeners {

    private static final Logger LOG = LoggerFactory.getLogger(BlockListeners.class);

    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    void add(Runnable listener) {
        listeners.add(listener);
    }

    void changed() {
        for (Runnable listener : listeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                LOG.error("block listener failed", e);
            }
        }
    }
}
