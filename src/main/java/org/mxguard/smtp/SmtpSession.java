package org.mxguard.smtp;

import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import org.mxguard.mail.ClientInfo;
import org.mxguard.mail.Envelope;
import org.mxguard.mail.MailAddress;
import org.mxguard.mail.PathParser;
import org.mxguard.mail.Reply;
import org.mxguard.policy.Decision;
import org.mxguard.policy.PolicyQuery;
import org.mxguard.policy.Stage;
import org.mxguard.spool.MessageWriter;
import org.mxguard.spool.SpoolFullException;

/**
 * One inbound SMTP connection, from accept to close, on its own virtual thread.
 *
 * <p>The state machine (RFC 5321 §4.1.4, §3.3; RFC 3207 §4.2):
 *
 * <pre>
 *  (accept) --over a connection limit--> 421, CLOSED
 *           --client talks first--------> 554 (PREGREET), CLOSED
 *           --CONNECT policy Disconnect-> its reply, CLOSED
 *           --otherwise-----------------> 220 greeting, INIT
 *  INIT  --HELO/EHLO--> READY                 (MAIL, RCPT, DATA, STARTTLS, ETRN: 503)
 *  READY --MAIL-------> MAIL                  (RCPT, DATA: 503)
 *  MAIL  --RCPT ok----> RCPT                  (refused RCPT: stays)
 *  RCPT  --DATA-------> 354, message, 250/4xx/5xx --> READY
 *  any   --RSET-------> READY (INIT without HELO)   --HELO/EHLO--> READY, transaction dropped
 *  READY --STARTTLS---> 220, handshake --> INIT, everything forgotten
 *  any   --QUIT, EOF, timeout, error limit, policy Disconnect--> CLOSED
 * </pre>
 *
 * <p>Connection scope: the client, HELO name, TLS, held CONNECT/HELO verdicts, the error count and
 * the command tally. Transaction scope: {@link Transaction}. All of it is implemented in
 * {@link #handle(Command)}, one switch.
 *
 * <p>Policy verdicts other than Disconnect bite at RCPT (Postfix's {@code smtpd_delay_reject = yes}),
 * so that every rejection is logged with client, sender and recipient. Relay control comes before any
 * policy verdict and is not a rule: no rule can open a relay.
 *
 * <p>Invariant: 250 after DATA is sent only after {@link MessageWriter#commit()} returned.
 */
final class SmtpSession implements Runnable {

    enum State {
        INIT, READY, MAIL, RCPT, CLOSED
    }

    private final SessionServices services;
    private final SmtpSettings settings;
    private final Reply refusal;
    private final String refusalReason;
    private final Socket plainSocket;
    private Socket socket;
    private SmtpInput in;
    private OutputStream out;

    // connection scope
    private State state = State.INIT;
    private ClientInfo client;
    private boolean extended;
    private String tlsDescription;
    private Decision heldConnectVerdict;
    private Decision heldHeloVerdict;
    private boolean acceptedByPolicy;
    private boolean heloAccepted;
    private int errors;
    private String lastCommand = "CONNECT";
    private Instant connectedAt;
    private final CommandCounts counts = new CommandCounts();

    // transaction scope
    private Transaction transaction;

    /**
     * @param refusal the 421 to send instead of a greeting (a connection limit was hit), or null
     */
    SmtpSession(SessionServices services, Socket socket, Reply refusal, String refusalReason) {
        this.services = services;
        this.settings = services.settings();
        this.socket = socket;
        this.plainSocket = socket;
        this.refusal = refusal;
        this.refusalReason = refusalReason;
    }

    @Override
    public void run() {
        InetSocketAddress remote = (InetSocketAddress) socket.getRemoteSocketAddress();
        client = new ClientInfo(remote.getAddress(), remote.getPort(), ClientInfo.UNKNOWN, null, "SMTP", null);
        boolean connected = false;
        try {
            in = new SmtpInput(socket.getInputStream());
            out = new BufferedOutputStream(socket.getOutputStream());
            if (refusal != null) {
                services.publish(new SessionEvent.Refused(now(), client, refusal, refusalReason));
                send(refusal);
                out.flush();
                return;
            }
            connectedAt = now();
            client = withName(lookUpName());
            services.publish(new SessionEvent.Connected(now(), client));
            connected = true;
            if (greet()) {
                commandLoop();
            }
            out.flush();
        } catch (SocketTimeoutException e) {
            services.publish(new SessionEvent.Dropped(now(), client, lastCommand, SessionEvent.DropReason.TIMEOUT));
            trySend(Replies.timeout(settings.hostname()));
        } catch (IOException e) {
            if (connected) {
                services.publish(new SessionEvent.Dropped(now(), client, lastCommand,
                        SessionEvent.DropReason.LOST_CONNECTION));
            }
        } finally {
            state = State.CLOSED;
            closeQuietly();
            if (connected) {
                services.publish(new SessionEvent.Disconnected(now(), client, counts.snapshot()));
            }
        }
    }

    /** Closes the connection from outside (server shutdown); the session thread then ends. */
    void abort() {
        closeQuietly();
    }

    private boolean greet() throws IOException {
        if (pregreet()) {
            send(Replies.PREGREET);
            return false;
        }
        Decision verdict = services.policy().decide(query(Stage.CONNECT, null, null));
        switch (verdict) {
            case Decision.Disconnect d when !d.warnOnly() -> {
                reject("CONNECT", d.reply(), null, null, d, false);
                send(d.reply());
                return false;
            }
            case Decision.Disconnect d -> reject("CONNECT", d.reply(), null, null, d, true);
            case Decision.Accept ignored -> acceptedByPolicy = true;
            case Decision.Tempfail ignored -> heldConnectVerdict = verdict;
            case Decision.Reject ignored -> heldConnectVerdict = verdict;
            case Decision.Continue ignored -> {
            }
        }
        send(Replies.greeting(settings.hostname()));
        return true;
    }

    /** Postscreen's pre-greet test: a client that sends before our 220 is a bot that does not listen. */
    private boolean pregreet() throws IOException {
        Duration wait = settings.pregreetWait();
        if (!wait.isZero()) {
            socket.setSoTimeout((int) Math.max(1, wait.toMillis()));
            try {
                if (!in.awaitInput()) {
                    throw new EOFException("closed before the greeting");
                }
            } catch (SocketTimeoutException expected) {
                return false;
            }
        }
        if (!in.hasPending()) {
            return false;
        }
        byte[] early = in.peekBuffered();
        String text = printable(early, 100);
        services.publish(new SessionEvent.Pregreet(now(), client, early.length,
                Duration.between(connectedAt, now()), text));
        return true;
    }

    private void commandLoop() throws IOException {
        while (state != State.CLOSED) {
            if (!in.hasPending()) {
                // RFC 2920 §3.1: replies to a pipelined group may be sent together, but no later than
                // when the server would otherwise wait for more input
                out.flush();
            }
            socket.setSoTimeout(timeoutMillis(settings.commandTimeout()));
            SmtpInput.Line line = in.readLine(settings.maxCommandLine());
            if (line == null) {
                throw new EOFException("connection closed");
            }
            Command command = line.tooLong()
                    ? new Command.Invalid("unknown", Replies.LINE_TOO_LONG)
                    : CommandParser.parse(line.bytes(), transaction != null && transaction.smtpUtf8);
            lastCommand = command.name().equals("unknown") ? "UNKNOWN" : command.name().toUpperCase(Locale.ROOT);
            Reply reply = handle(command);
            counts.record(command.name(), reply == null || reply.code() < 400);
            if (reply == null) {
                continue;
            }
            send(reply);
            if (reply.code() >= 400 && state != State.CLOSED && ++errors >= settings.hardErrorLimit()) {
                services.publish(new SessionEvent.Dropped(now(), client, lastCommand,
                        SessionEvent.DropReason.TOO_MANY_ERRORS));
                send(Replies.tooManyErrors(settings.hostname()));
                state = State.CLOSED;
            }
        }
    }

    /** The whole state machine: each command checked against the state, then run. Null: already answered. */
    private Reply handle(Command command) throws IOException {
        return switch (command) {
            case Command.Helo helo -> helo(helo);
            case Command.Mail mail when state == State.INIT -> Replies.SEND_HELO_FIRST;
            case Command.Mail mail when transaction != null -> Replies.NESTED_MAIL;
            case Command.Mail mail -> mail(mail);
            case Command.Rcpt rcpt when transaction == null -> Replies.NEED_MAIL;
            case Command.Rcpt rcpt -> rcpt(rcpt);
            case Command.Data data when transaction == null -> Replies.NEED_MAIL;
            case Command.Data data when transaction.recipients.isEmpty() ->
                    transaction.recipientTried ? Replies.NO_VALID_RECIPIENTS : Replies.NEED_RCPT;
            case Command.Data data -> data();
            case Command.Rset rset -> {
                transaction = null;
                state = client.helo() == null ? State.INIT : State.READY;
                yield Replies.OK;
            }
            case Command.Noop noop -> Replies.OK;
            case Command.Quit quit -> {
                state = State.CLOSED;
                yield Replies.BYE;
            }
            case Command.Vrfy vrfy -> Replies.VRFY;
            case Command.Help help -> Replies.HELP;
            case Command.StartTls tls when services.tls() == null -> Replies.NOT_IMPLEMENTED;
            case Command.StartTls tls when tlsDescription != null -> Replies.TLS_ALREADY_ACTIVE;
            case Command.StartTls tls when state == State.INIT -> Replies.SEND_HELO_FIRST;
            case Command.StartTls tls when transaction != null -> Replies.TRANSACTION_IN_PROGRESS;
            case Command.StartTls tls -> startTls();
            case Command.Etrn etrn when services.etrn().get() == null -> Replies.NOT_IMPLEMENTED;
            case Command.Etrn etrn when state == State.INIT -> Replies.SEND_HELO_FIRST;
            case Command.Etrn etrn when transaction != null -> Replies.TRANSACTION_IN_PROGRESS;
            case Command.Etrn etrn -> services.etrn().get().etrn(etrn.argument(), client);
            case Command.Unknown unknown -> Replies.UNKNOWN_COMMAND;
            case Command.Invalid invalid -> invalid.reply();
        };
    }

    private Reply helo(Command.Helo helo) {
        // RFC 5321 §4.1.4: HELO/EHLO in a session also resets the transaction
        transaction = null;
        extended = helo.extended();
        client = new ClientInfo(client.address(), client.port(), client.name(), helo.domain(), protocol(),
                tlsDescription);
        heldHeloVerdict = null;
        heloAccepted = false;
        state = State.READY;
        if (!acceptedByPolicy) {
            Decision verdict = services.policy().decide(query(Stage.HELO, null, null));
            if (disconnects(verdict, "HELO", null, null)) {
                return closeWith(verdict);
            }
            heldHeloVerdict = held(verdict);
            heloAccepted = verdict instanceof Decision.Accept;
        }
        return helo.extended()
                ? Replies.ehlo(settings.hostname(), settings.maxMessageSize(),
                        services.tls() != null && tlsDescription == null, services.etrn().get() != null)
                : Replies.helo(settings.hostname());
    }

    private Reply mail(Command.Mail mail) {
        String senderText = mail.path() instanceof PathParser.Result.Mailbox box ? box.text() : "";
        // RFC 1870 §6: a declared size over the limit is refused at MAIL
        if (mail.size() > settings.maxMessageSize()) {
            reject("MAIL", Replies.MESSAGE_TOO_BIG, senderText, null, null, false);
            return Replies.MESSAGE_TOO_BIG;
        }
        MailAddress sender = mail.path() instanceof PathParser.Result.Mailbox box
                ? box.address() : MailAddress.NULL_SENDER;
        transaction = new Transaction(sender, senderText, mail.eightBitMime(), mail.smtpUtf8(), now());
        state = State.MAIL;
        if (!acceptedByPolicy && !acceptedAtHelo()) {
            Decision verdict = services.policy().decide(query(Stage.MAIL, sender, null));
            if (disconnects(verdict, "MAIL", senderText, null)) {
                return closeWith(verdict);
            }
            transaction.heldVerdict = held(verdict);
            transaction.acceptedByPolicy = verdict instanceof Decision.Accept;
        }
        return Replies.SENDER_OK;
    }

    private Reply rcpt(Command.Rcpt rcpt) {
        transaction.recipientTried = true;
        String recipientText = switch (rcpt.path()) {
            case PathParser.Result.Mailbox box -> box.text();
            case PathParser.Result.LocalOnly local -> local.localPart();
            default -> "";
        };
        // RFC 5321 §4.5.3.1.8: at least 100 must be accepted; more are asked to come in another transaction
        if (transaction.recipients.size() >= settings.maxRecipients()) {
            return rejected(Replies.TOO_MANY_RECIPIENTS, recipientText);
        }
        MailAddress recipient;
        switch (services.relay().check(rcpt.path())) {
            case RelayControl.Verdict.Denied denied -> {
                return rejected(denied.reply(), recipientText);
            }
            case RelayControl.Verdict.Protected ok -> recipient = ok.address();
        }
        for (Decision verdict : new Decision[] {heldConnectVerdict, heldHeloVerdict, transaction.heldVerdict}) {
            Reply reply = apply(verdict, recipientText);
            if (reply != null) {
                return reply;
            }
        }
        if (!acceptedByPolicy && !acceptedAtHelo() && !transaction.acceptedByPolicy) {
            Decision verdict = services.policy().decide(query(Stage.RCPT, transaction.sender, recipient));
            if (disconnects(verdict, "RCPT", transaction.senderText, recipientText)) {
                return closeWith(verdict);
            }
            Reply reply = apply(verdict, recipientText);
            if (reply != null) {
                return reply;
            }
        }
        transaction.recipients.add(recipient);
        state = State.RCPT;
        return Replies.RECIPIENT_OK;
    }

    private Reply data() throws IOException {
        Transaction tx = transaction;
        Envelope envelope = new Envelope(tx.sender, tx.recipients, client, tx.started, tx.eightBitMime, tx.smtpUtf8);
        MessageWriter writer;
        try {
            writer = services.spool().begin(envelope);
        } catch (IOException e) {
            return Replies.QUEUE_WRITE_ERROR;
        }
        try (writer) {
            send(Replies.START_DATA);
            out.flush();
            lastCommand = "DATA";
            socket.setSoTimeout(timeoutMillis(settings.dataTimeout()));
            GuardedOutput content = new GuardedOutput(writer.content());
            BufferedOutputStream buffered = new BufferedOutputStream(content, 64 * 1024);
            byte[] received = ReceivedHeader.render(client, settings.hostname(), receivedProtocol(tx), writer.id(),
                    tx.recipients, ZonedDateTime.now(services.clock())).getBytes(StandardCharsets.UTF_8);
            buffered.write(received);
            DataReader reader = new DataReader(in, settings.maxTextLine(), settings.maxMessageSize(),
                    settings.bareLineFeed() == SmtpSettings.BareLineFeed.NORMALIZE);
            DataReader.Result result = reader.read(buffered);
            lastCommand = "END-OF-MESSAGE";
            transaction = null;
            state = State.READY;
            Reply refusal = switch (result.outcome()) {
                case OK -> null;
                case TOO_BIG -> Replies.MESSAGE_TOO_BIG;
                case LINE_TOO_LONG -> Replies.TEXT_LINE_TOO_LONG;
                case BARE_LINE_FEED -> Replies.BARE_LINE_FEED;
                case BARE_CARRIAGE_RETURN -> Replies.BARE_CARRIAGE_RETURN;
            };
            if (refusal != null) {
                reject("DATA", refusal, tx.senderText, tx.recipients.size() == 1
                        ? tx.recipients.getFirst().address() : null, null, false);
                return refusal;
            }
            buffered.flush();
            if (content.failure() != null) {
                return content.failure() instanceof SpoolFullException
                        ? Replies.INSUFFICIENT_STORAGE : Replies.QUEUE_WRITE_ERROR;
            }
            try {
                writer.commit();
            } catch (SpoolFullException e) {
                return Replies.INSUFFICIENT_STORAGE;
            } catch (IOException e) {
                return Replies.QUEUE_WRITE_ERROR;
            }
            services.publish(new SessionEvent.Queued(now(), client, writer.id(), tx.sender, tx.recipients,
                    received.length + result.size(), result.messageId()));
            // Postfix's hard error limit counts errors "without delivering mail"
            errors = 0;
            return Replies.queued(writer.id().value());
        }
    }

    private Reply startTls() throws IOException {
        send(Replies.READY_TO_START_TLS);
        out.flush();
        // CVE-2011-0411: whatever the client pipelined after STARTTLS arrived in plaintext; drop it
        in.discardBuffered();
        InetSocketAddress remote = (InetSocketAddress) socket.getRemoteSocketAddress();
        SSLSocket tls = (SSLSocket) services.tls().getSocketFactory()
                .createSocket(socket, remote.getHostString(), remote.getPort(), true);
        tls.setUseClientMode(false);
        try {
            tls.startHandshake();
        } catch (IOException e) {
            services.publish(new SessionEvent.TlsFailed(now(), client, String.valueOf(e.getMessage())));
            throw e;
        }
        socket = tls;
        in = new SmtpInput(tls.getInputStream());
        out = new BufferedOutputStream(tls.getOutputStream());
        SSLSession session = tls.getSession();
        tlsDescription = session.getProtocol() + " with cipher " + session.getCipherSuite();
        // RFC 3207 §4.2: the server MUST discard any knowledge obtained from the client before TLS
        transaction = null;
        heldHeloVerdict = null;
        heloAccepted = false;
        extended = false;
        state = State.INIT;
        client = new ClientInfo(client.address(), client.port(), client.name(), null, "SMTP", tlsDescription);
        services.publish(new SessionEvent.TlsEstablished(now(), client, session.getProtocol(),
                session.getCipherSuite()));
        return null;
    }

    /** A held or fresh verdict at RCPT: the reply to send, or null to go on. */
    private Reply apply(Decision verdict, String recipientText) {
        if (verdict == null) {
            return null;
        }
        return switch (verdict) {
            case Decision.Tempfail t -> applyRefusal(t.reply(), t.warnOnly(), verdict, recipientText);
            case Decision.Reject r -> applyRefusal(r.reply(), r.warnOnly(), verdict, recipientText);
            case Decision.Disconnect ignored -> null;
            case Decision.Accept ignored -> null;
            case Decision.Continue ignored -> null;
        };
    }

    private Reply applyRefusal(Reply reply, boolean warnOnly, Decision verdict, String recipientText) {
        reject("RCPT", reply, transaction.senderText, recipientText, verdict, warnOnly);
        return warnOnly ? null : reply;
    }

    private Reply rejected(Reply reply, String recipientText) {
        reject("RCPT", reply, transaction.senderText, recipientText, null, false);
        return reply;
    }

    /** Held until RCPT unless it is nothing to hold. */
    private static Decision held(Decision verdict) {
        return verdict instanceof Decision.Tempfail || verdict instanceof Decision.Reject ? verdict : null;
    }

    private boolean disconnects(Decision verdict, String stage, String sender, String recipient) {
        if (verdict instanceof Decision.Disconnect d) {
            reject(stage, d.reply(), sender, recipient, d, d.warnOnly());
            return !d.warnOnly();
        }
        return false;
    }

    private Reply closeWith(Decision verdict) {
        state = State.CLOSED;
        return ((Decision.Disconnect) verdict).reply();
    }

    private boolean acceptedAtHelo() {
        return heloAccepted;
    }

    private void reject(String stage, Reply reply, String sender, String recipient, Decision verdict,
            boolean warnOnly) {
        services.publish(new SessionEvent.Rejected(now(), client, stage, reply, sender, recipient, warnOnly,
                switch (verdict) {
                    case Decision.Tempfail t -> t.rule();
                    case Decision.Reject r -> r.rule();
                    case Decision.Disconnect d -> d.rule();
                    case null, default -> null;
                }));
    }

    private PolicyQuery query(Stage stage, MailAddress sender, MailAddress recipient) {
        return new PolicyQuery(stage, client.address(), client.name(), client.helo(), sender, recipient);
    }

    private String protocol() {
        if (!extended) {
            return "SMTP";
        }
        return tlsDescription == null ? "ESMTP" : "ESMTPS";
    }

    /** RFC 3848 and RFC 6531 §3.7.3 "with" keywords. */
    private String receivedProtocol(Transaction tx) {
        String base = protocol();
        return tx.smtpUtf8 ? "UTF8" + (base.equals("ESMTPS") ? "SMTPS" : "SMTP") : base;
    }

    private String lookUpName() {
        FutureTask<String> lookup = new FutureTask<>(() -> services.names().verifiedName(client.address()));
        Thread.ofVirtual().name("smtp-name-lookup").start(lookup);
        try {
            String name = lookup.get(settings.nameLookupTimeout().toMillis(), TimeUnit.MILLISECONDS);
            return name == null || name.isBlank() ? ClientInfo.UNKNOWN : name;
        } catch (TimeoutException | ExecutionException e) {
            lookup.cancel(true);
            return ClientInfo.UNKNOWN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ClientInfo.UNKNOWN;
        }
    }

    private ClientInfo withName(String name) {
        return new ClientInfo(client.address(), client.port(), name, null, "SMTP", null);
    }

    private void send(Reply reply) throws IOException {
        out.write(reply.render().getBytes(StandardCharsets.UTF_8));
    }

    private void trySend(Reply reply) {
        try {
            send(reply);
            out.flush();
        } catch (IOException ignored) {
            // The client is gone; the timeout is logged already.
        }
    }

    private void closeQuietly() {
        try {
            if (socket != plainSocket) {
                // Sends close_notify without waiting for the client's, which SSLSocket.close() may do.
                socket.shutdownOutput();
            }
        } catch (IOException | UnsupportedOperationException ignored) {
            // The plain socket is closed below either way.
        }
        try {
            plainSocket.close();
        } catch (IOException ignored) {
            // Closing a broken socket can fail; it is closed either way.
        }
    }

    private static int timeoutMillis(Duration timeout) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
    }

    private Instant now() {
        return services.clock().instant();
    }

    /** Like postscreen: control characters as C escapes, at most {@code max} octets. */
    static String printable(byte[] bytes, int max) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < Math.min(bytes.length, max); i++) {
            int b = bytes[i] & 0xff;
            switch (b) {
                case '\r' -> text.append("\\r");
                case '\n' -> text.append("\\n");
                case '\t' -> text.append("\\t");
                default -> text.append(b < 0x20 || b >= 0x7f ? String.format("\\%03o", b) : (char) b);
            }
        }
        return text.toString();
    }
}
