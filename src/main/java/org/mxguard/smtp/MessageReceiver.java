package org.mxguard.smtp;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import org.mxguard.mail.ClientInfo;
import org.mxguard.mail.Envelope;
import org.mxguard.mail.QueueId;
import org.mxguard.mail.Reply;
import org.mxguard.spool.MessageWriter;
import org.mxguard.spool.SpoolFullException;

/**
 * The DATA phase: opens a spool message, sends 354, writes the Received header and the unstuffed
 * message, and commits it. Invariant: {@link Result.Queued} (and so the 250) only after
 * {@link MessageWriter#commit()} returned; every other way out discards the message.
 */
final class MessageReceiver {

    /** How the DATA phase ended. */
    sealed interface Result {

        /** Committed: answer 250. */
        record Queued(QueueId id, long size, String messageId) implements Result {
        }

        /** The message itself is refused (size, bare CR/LF): a logged rejection. */
        record Refused(Reply reply) implements Result {
        }

        /** The spool failed: a temporary error, not the client's fault. */
        record Failed(Reply reply) implements Result {
        }
    }

    /** Postfix's hopcount_limit: this many Received fields, ours included, mean a mail loop. */
    static final int HOP_LIMIT = 50;

    private final SessionServices services;
    private final SmtpSettings settings;
    private DataReader reader;

    MessageReceiver(SessionServices services) {
        this.services = services;
        this.settings = services.settings();
    }

    /**
     * Receives one message. Socket failures (EOF, timeout) propagate; the message is then discarded.
     *
     * @param protocol the Received header's "with" keyword
     * @param dataTimeout the deadline for the message data, extended as it arrives at the minimum rate
     */
    Result receive(SmtpConnection connection, Envelope envelope, ClientInfo client, String protocol,
            Duration dataTimeout) throws IOException {
        MessageWriter writer;
        try {
            writer = services.spool().begin(envelope);
        } catch (IOException e) {
            // below the spool's free-space minimum already: 452 4.3.1, as at commit (RFC 3463 X.3.1)
            return new Result.Failed(spoolFailure(e));
        }
        try (writer) {
            connection.send(Replies.START_DATA);
            connection.flush();
            connection.input().deadline(dataTimeout, SessionLimits.MIN_DATA_RATE);
            GuardedOutput content = new GuardedOutput(writer.content());
            BufferedOutputStream buffered = new BufferedOutputStream(content, 64 * 1024);
            byte[] received = ReceivedHeader.render(client, settings.hostname(), protocol, writer.id(),
                    envelope.recipients(), ZonedDateTime.now(services.clock())).getBytes(StandardCharsets.UTF_8);
            buffered.write(received);
            reader = new DataReader(connection.input(), settings.lineLengthLimit(),
                    settings.maxMessageSize() - received.length,
                    settings.bareLineFeed() == SmtpSettings.BareLineFeed.NORMALIZE);
            DataReader.Result result = reader.read(buffered);
            Reply refusal = switch (result.outcome()) {
                case OK -> null;
                case TOO_BIG -> Replies.MESSAGE_TOO_BIG;
                case BARE_LINE_FEED -> Replies.BARE_LINE_FEED;
                case BARE_CARRIAGE_RETURN -> Replies.BARE_CARRIAGE_RETURN;
            };
            // RFC 5321 §6.3: a loop is detected by counting Received fields. Postfix's cleanup counts
            // them with the one its smtpd just added and refuses at hopcount_limit (50). Refusing here
            // rather than bouncing later leaves the report to the client, which knows the sender.
            if (refusal == null && result.hops() + 1 >= HOP_LIMIT) {
                refusal = Replies.TOO_MANY_HOPS;
            }
            if (refusal != null) {
                return new Result.Refused(refusal);
            }
            buffered.flush();
            if (content.failure() != null) {
                return new Result.Failed(spoolFailure(content.failure()));
            }
            try {
                writer.commit();
            } catch (IOException e) {
                return new Result.Failed(spoolFailure(e));
            }
            return new Result.Queued(writer.id(), received.length + result.size(), result.messageId());
        }
    }

    /** Octets of message data read in the latest DATA phase, even an interrupted one. */
    long received() {
        return reader == null ? 0 : reader.received();
    }

    private static Reply spoolFailure(IOException failure) {
        return failure instanceof SpoolFullException ? Replies.INSUFFICIENT_STORAGE : Replies.QUEUE_WRITE_ERROR;
    }
}
