package org.mxguard.spool;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.mxguard.mail.Envelope;
import org.mxguard.mail.QueueId;

/**
 * The durable queue. Only this package touches spool files.
 *
 * <p>Invariant: a message exists for every other component only once {@link MessageWriter#commit()}
 * has returned; after that it survives a crash (kill -9, power loss) until {@link #remove} is called.
 * A message whose commit did not return is never seen by {@link #recover()} or {@link #list()}.
 */
public interface Spool extends Closeable {

    /** Starts writing a new message. Its id is assigned now, so the Received header can name it. */
    MessageWriter begin(Envelope envelope) throws IOException;

    /**
     * Run once at start, before anything else: removes partial messages and returns the ids of all
     * committed ones, oldest first.
     */
    List<QueueId> recover() throws IOException;

    /** The ids of all committed messages, oldest first. */
    List<QueueId> list() throws IOException;

    /** The envelope and delivery state of a committed message, or empty if there is none. */
    Optional<QueuedMessage> load(QueueId id) throws IOException;

    /** The stored message (headers including mxguard's Received line, then the body), CRLF lines, unstuffed. */
    InputStream openContent(QueueId id) throws IOException;

    /**
     * Changes the delivery state of a message durably, as one step (the envelope never changes): the
     * message's lock is held from reading the current state to writing the one {@code change}
     * returns, so two writers (a delivery attempt's result, the postmaster's hold) never undo each
     * other. {@code change} runs under that lock: it must be quick and must not call the spool.
     * Returns the state now stored, or empty if there is no such message (nothing is called then).
     */
    Optional<DeliveryState> update(QueueId id, UnaryOperator<DeliveryState> change) throws IOException;

    /** Deletes a message for good: delivered, bounced or deleted by the postmaster. */
    void remove(QueueId id) throws IOException;
}
