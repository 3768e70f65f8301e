package org.mxguard.evidence;

import java.net.InetAddress;
import java.time.Instant;
import java.util.List;

/**
 * What both stores share: every question and every change goes to the host's {@link LocalView}, in
 * memory, so a decision never waits on a disk or a network. The subclasses differ only in where the
 * view's changes are written (a local file, or Redis for the fleet) and how they come back at start.
 */
abstract class LocalViewStore implements EvidenceStore {

    /** The view, made by the subclass (its change listener writes to the subclass's destination). */
    abstract LocalView view();

    @Override
    public void record(PrimaryContact contact) {
        view().record(contact);
    }

    @Override
    public PrimaryContact lastContact(InetAddress client) {
        return view().lastContact(client);
    }

    @Override
    public Instant attempt(InetAddress client, String sender, String recipient, Instant at) {
        return view().attempt(client, sender, recipient, at);
    }

    @Override
    public void grantCredit(InetAddress client, Instant until) {
        view().grantCredit(client, until);
    }

    @Override
    public Instant creditUntil(InetAddress client) {
        return view().creditUntil(client);
    }

    @Override
    public void caught(InetAddress client, String verifiedName, boolean nullSender, Instant at) {
        view().caught(client, verifiedName, nullSender, at);
    }

    @Override
    public Aggregate aggregate(String source) {
        return view().aggregate(source);
    }

    @Override
    public boolean covered(String source) {
        return view().covered(source);
    }

    @Override
    public List<Block> blocks() {
        return view().blocks();
    }

    @Override
    public Block block(String target) {
        return view().block(target);
    }

    @Override
    public void putBlock(Block block) {
        view().putBlock(block);
    }

    @Override
    public boolean removeBlock(String target) {
        return view().removeBlock(target);
    }

    @Override
    public void onBlocksChanged(Runnable listener) {
        view().onBlocksChanged(listener);
    }

    /** Drops expired entries from memory (the embedded file and Redis expire their own copies). */
    @Override
    public void purge(Instant now) {
        view().purge(now);
    }
}
