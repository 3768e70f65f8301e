package org.mxguard.evidence;

import java.net.InetAddress;
import java.time.Instant;
import java.util.List;

/**
 * What mxguard has learned about clients and the primary MX: primary contacts, retry attempts and
 * credits, per-source aggregates of caught clients, whether a source holds a client with primary
 * contact or credit, and blocks. The one interface the MX-skip rule and the block commands see: the
 * embedded store and the fleet's shared store both implement it.
 *
 * <p>Every method answers from memory, at once: the SMTP path never waits on a disk or a network.
 * Writes reach durable storage afterwards (write-behind). Clients are keyed by their group (the
 * configured IPv4 and IPv6 prefix lengths; /32 and /64 by default), so every address of an IPv6
 * client's /64 counts as the same client. Entries expire: memory is bounded by the number of sources
 * active within the retention times, not by traffic.
 */
public interface EvidenceStore extends ContactRecorder, AutoCloseable {

    /** The latest contact of the client's group with any primary still kept, or null. */
    PrimaryContact lastContact(InetAddress client);

    /**
     * A refused attempt for (client, sender, recipient): records {@code at} if the triple is new,
     * and returns when it was first seen (which is {@code at} for a new triple). A store may keep a
     * bounded number of pairs per client; when a client's pairs are full it drops only pairs older
     * than its attempt retention, and otherwise does not record the new pair (never forgetting one
     * that can still earn credit).
     */
    Instant attempt(InetAddress client, String sender, String recipient, Instant at);

    /** Gives the client's group retry credit until {@code until}. */
    void grantCredit(InetAddress client, Instant until);

    /** When the client's retry credit ends, or null when it has none. */
    Instant creditUntil(InetAddress client);

    /** A client the MX-skip rule refused (or would have): summed, as its group, into each of its sources. */
    void caught(InetAddress client, String verifiedName, boolean nullSender, Instant at);

    /** The sum for one source, or null when nothing was caught there lately. */
    Aggregate aggregate(String source);

    /**
     * True when the source (network or subdomain) holds a client seen at a primary or with retry
     * credit within the retention time: such a source is never blocked.
     */
    boolean covered(String source);

    /** The blocks in force and expired ones not yet purged, in no particular order. */
    List<Block> blocks();

    /** The block on exactly {@code target}, expired or not, or null. */
    Block block(String target);

    /** Adds or replaces (same target) a block. */
    void putBlock(Block block);

    /** Removes the block on {@code target}; false when there was none. */
    boolean removeBlock(String target);

    /** Called (on the writer's thread) after the set of blocks changed. */
    void onBlocksChanged(Runnable listener);

    /** Drops what has expired at {@code now}. The store also does this by itself. */
    void purge(Instant now);

    /** Returns once everything recorded so far is on durable storage. */
    void flush();

    /**
     * False while the last write to durable storage failed (full disk, lost connection): memory
     * still answers, but what is learned now may not survive a restart. For metrics and status.
     */
    default boolean healthy() {
        return true;
    }

    /**
     * Changes not handed to durable storage since start because its queue was full (the disk, or
     * the fleet, slower than the changes for a while). Each is still in memory and decides as
     * before; it may be missing after a restart. For metrics.
     */
    default long droppedChanges() {
        return 0;
    }

    /**
     * True while the store may be missing what other hosts learned: the fleet's shared store is
     * unreachable, or has not been caught up with since it came back. The absence of a primary
     * contact then proves nothing, and the MX-skip rule does not refuse on it. The embedded store
     * holds all there is: never degraded.
     */
    default boolean degraded() {
        return false;
    }

    /**
     * True while the store is still reading what it held before this start (a million clients take
     * seconds, and the server listens meanwhile): a missing contact may be one not read yet, so the
     * MX-skip rule does not refuse on it. Blocks are read before the store is handed out.
     */
    default boolean loading() {
        return false;
    }

    /**
     * Starts reading, in the background, what a store opened to load later holds; the server calls it
     * once it listens. Does nothing for a store that has nothing left to read.
     */
    default void startLoading() {
    }

    /** Counts, for {@code mxguard block list} and logs: "contacts 12, credits 3, ...". */
    String describe();

    @Override
    void close();
}
