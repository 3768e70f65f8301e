package org.mxguard.smtp;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLSession;
import org.mxguard.dns.ClientNameLookup;
import org.mxguard.mail.ClientInfo;
import org.mxguard.mail.Envelope;
import org.mxguard.mail.HostName;
import org.mxguard.mail.MailAddress;
import org.mxguard.mail.PathParser;
import org.mxguard.mail.Reply;
import org.mxguard.policy.PolicyQuery;
import org.mxguard.policy.Stage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *  READY --MAIL ok----> MAIL, transaction    (SIZE over the limit: 552, stays; RCPT, DATA: 503)
 *  MAIL  --RCPT ok----> RCPT                  (refused RCPT: stays; DATA: 503, or 554 after refused RCPTs)
 *  RCPT  --RCPT-------> RCPT                  (ok or refused)
 *  RCPT  --DATA-------> 354, message, 250/4xx/5xx --> READY, transaction dropped
 *        --DATA with the message already sent (RFC 2920 §3.1)--> 554, CLOSED
 *  MAIL, RCPT         (MAIL: 503 nested; STARTTLS, ETRN: 503 in progress)
 *  any   --RSET-------> READY (INIT without HELO)   --HELO/EHLO--> READY, transaction dropped
 *  READY --STARTTLS---> 220, handshake --> INIT, everything the client said forgotten
 *  any   --QUIT, EOF, timeout, error limit, policy Disconnect--> CLOSED
 * </pre>
 *
 * <p>Connection scope: the client (with HELO name and TLS), the {@link PolicyGate}, the error count
 * and the command tally. Transaction scope: {@link Transaction}, which exists exactly in the MAIL
 * and RCPT states and is written only here (the gate's verdicts at MAIL included). The machine is
 * implemented in {@link #handle(Command)}, one switch whose guards read the state.
 *
 * <p>At RCPT, relay control comes before any policy verdict and is not a rule: no rule can open a
 * relay. The 250 after DATA is sent only after the spool commit returned ({@link MessageReceiver}).
 */
final class SmtpSession implements Runnable {

    /** The states of the table above; {@link #transaction} is set exactly in MAIL and RCPT. */
    enum State {
        INIT, READY, MAIL, RCPT, CLOSED;

        boolean inTransaction() {
            return this == MAIL || this == RCPT;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(SmtpSession.class);

    private final SessionServices services;
    private final SmtpSettings settings;
    private final Socket socket;
    private final Reply refusal;
    private final String refusalReason;
    private final Runnable onClose;
    private final PolicyGate policy;
    private final MessageReceiver receiver;
    private final CommandCounts counts = new CommandCounts();
    private final SessionLimits normalLimits;
    private final SessionLimits stressLimits;
    private SmtpConnection connection;

    // connection scope
    private State state = State.INIT;
    private ClientInfo client;
    private boolean extended;
    private int errors;
    private int junkCommands;
    private String lastCommand = "CONNECT";
    private Instant connectedAt;

    // transaction scope
    private Transaction transaction;

    /**
     * @param refusal the 421 to send instead of a greeting (a connection limit was hit), or null
     * @param refusalReason why, for the event
     * @param onClose run once the socket is closed and before the Disconnected event (frees the
     *     connection-limit slot, so whoever sees the event can connect again)
     */
    SmtpSession(SessionServices services, Socket socket, Reply refusal, String refusalReason, Runnable onClose) {
        this.services = services;
        this.settings = services.settings();
        this.socket = socket;
        this.refusal = refusal;
        this.refusalReason = refusalReason;
        this.onClose = onClose;
        this.policy = new PolicyGate(services.policy());
        this.receiver = new MessageReceiver(services);
        this.normalLimits = SessionLimits.normal(settings);
        this.stressLimits = SessionLimits.stress(settings);
    }

    @Override
    public void run() {
        InetSocketAddress remote = (InetSocketAddress) socket.getRemoteSocketAddress();
        client = new ClientInfo(remote.getAddress(), remote.getPort(), ClientInfo.UNKNOWN, null, "SMTP", null);
        boolean connected = false;
        try {
            connection = new SmtpConnection(socket);
            if (refusal != null) {
                services.publish(new SessionEvent.Refused(now(), client, refusal, refusalReason));
                connection.send(refusal);
                return;
            }
            connectedAt = now();
            client = new ClientInfo(client.address(), client.port(), lookUpName(), null, "SMTP", null);
            services.publish(new SessionEvent.Connected(now(), client));
            connected = true;
            if (greet()) {
                commandLoop();
            }
        } catch (SocketTimeoutException e) {
            services.publish(new SessionEvent.Dropped(now(), client, afterCommand(), SessionEvent.DropReason.TIMEOUT));
            connection.sendQuietly(Replies.timeout(settings.hostname()));
        } catch (IOException e) {
            if (connected) {
                services.publish(new SessionEvent.Dropped(now(), client, afterCommand(),
                        SessionEvent.DropReason.LOST_CONNECTION));
            }
        } catch (RuntimeException e) {
            // A bug must cost one session, never the server, and the client hears 421 and retries.
            LOG.error("session with {} failed after {}", client.nameAndAddress(), lastCommand, e);
            if (connection != null) {
                connection.sendQuietly(Replies.internalError(settings.hostname()));
            }
        } finally {
            state = State.CLOSED;
            if (connection != null) {
                connection.close();
            } else {
                SmtpConnection.closeAbruptly(socket);
            }
            onClose.run();
            if (connected) {
                services.publish(new SessionEvent.Disconnected(now(), client, counts.snapshot()));
            }
        }
    }

    /** Closes the connection from outside (server shutdown); the session thread then ends. */
    void abort() {
        SmtpConnection.closeAbruptly(socket);
    }

    private boolean greet() throws IOException {
        // postscreen's pre-greet test: a client that sends before our 220 is a bot that does not listen
        if (connection.talksWithin(settings.pregreetWait())) {
            byte[] early = connection.input().peekBuffered();
            services.publish(new SessionEvent.Pregreet(now(), client, early.length,
                    Duration.between(connectedAt, now()), printable(early, 100)));
            connection.send(Replies.PREGREET);
            return false;
        }
        PolicyGate.Outcome outcome = policy.ask(query(Stage.CONNECT, null, null), reporter("CONNECT", null));
        if (outcome.disconnect()) {
            connection.send(outcome.reply());
            return false;
        }
        connection.send(Replies.greeting(settings.hostname()));
        return true;
    }

    private void commandLoop() throws IOException {
        while (state != State.CLOSED) {
            connection.flushUnlessPipelined();
            // a deadline for the whole command, not per read: trickling octets cannot hold the session
            connection.input().deadline(limits().commandTimeout(), 0);
            SmtpInput.Line line = connection.input().readLine(settings.maxCommandLine());
            if (line == null) {
                throw new EOFException("connection closed");
            }
            // asked again: stress may have begun while the client took its time
            SessionLimits limits = limits();
            Command command = line.tooLong()
                    ? new Command.Invalid("unknown", Replies.LINE_TOO_LONG)
                    : CommandParser.parse(line.bytes(), transaction != null && transaction.smtpUtf8);
            lastCommand = command.name().toUpperCase(Locale.ROOT);
            Reply reply = handle(command, limits);
            counts.record(command.name(), reply == null || reply.code() < 400);
            if (reply == null) {
                continue;
            }
            connection.send(reply);
            boolean error = reply.code() >= 400;
            // Postfix's smtpd_junk_command_limit: past it, each junk command counts as an error
            if (isJunk(command) && ++junkCommands > limits.junkCommandLimit()) {
                error = true;
            }
            if (error && state != State.CLOSED && ++errors >= limits.hardErrorLimit()) {
                services.publish(new SessionEvent.Dropped(now(), client, lastCommand,
                        SessionEvent.DropReason.TOO_MANY_ERRORS));
                connection.send(Replies.tooManyErrors(settings.hostname()));
                state = State.CLOSED;
            }
        }
    }

    /** The whole state machine: each command checked against the state, then run. Null: already answered. */
    private Reply handle(Command command, SessionLimits limits) throws IOException {
        return switch (command) {
            case Command.Helo helo -> helo(helo);
            case Command.Mail mail when state == State.INIT -> Replies.SEND_HELO_FIRST;
            case Command.Mail mail when state.inTransaction() -> Replies.NESTED_MAIL;
            case Command.Mail mail -> mail(mail);
            case Command.Rcpt rcpt when !state.inTransaction() -> Replies.NEED_MAIL;
            case Command.Rcpt rcpt -> rcpt(rcpt);
            case Command.Data data when !state.inTransaction() -> refuseData(Replies.NEED_MAIL);
            case Command.Data data when state == State.MAIL ->
                    refuseData(transaction.recipientTried ? Replies.NO_VALID_RECIPIENTS : Replies.NEED_RCPT);
            case Command.Data data -> data(limits);
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
            case Command.StartTls tls when client.tls() != null -> Replies.TLS_ALREADY_ACTIVE;
            case Command.StartTls tls when state == State.INIT -> Replies.SEND_HELO_FIRST;
            case Command.StartTls tls when state.inTransaction() -> Replies.TRANSACTION_IN_PROGRESS;
            case Command.StartTls tls -> startTls(limits);
            case Command.Etrn etrn when services.etrn().get() == null -> Replies.NOT_IMPLEMENTED;
            case Command.Etrn etrn when state == State.INIT -> Replies.SEND_HELO_FIRST;
            case Command.Etrn etrn when state.inTransaction() -> Replies.TRANSACTION_IN_PROGRESS;
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
                client.tls());
        state = State.READY;
        PolicyGate.Outcome outcome = policy.ask(query(Stage.HELO, null, null), reporter("HELO", null));
        if (outcome.disconnect()) {
            state = State.CLOSED;
            return outcome.reply();
        }
        return helo.extended()
                ? Replies.ehlo(settings.hostname(), settings.maxMessageSize(),
                        services.tls() != null && client.tls() == null, services.etrn().get() != null)
                : Replies.helo(settings.hostname());
    }

    private Reply mail(Command.Mail mail) {
        MailAddress sender = mail.path() instanceof PathParser.Result.Mailbox box
                ? box.address() : MailAddress.NULL_SENDER;
        String senderText = mail.path() instanceof PathParser.Result.Mailbox box ? box.text() : "";
        transaction = new Transaction(sender, senderText, mail.eightBitMime(), mail.smtpUtf8(), now());
        // RFC 1870 §6: a declared size over the limit is refused at MAIL
        if (mail.size() > settings.maxMessageSize()) {
            reporter("MAIL", null).report(Replies.MESSAGE_TOO_BIG, null, false);
            transaction = null;
            return Replies.MESSAGE_TOO_BIG;
        }
        PolicyGate.MailVerdict verdict = policy.atMail(query(Stage.MAIL, sender, null), reporter("MAIL", null));
        if (verdict.outcome().disconnect()) {
            state = State.CLOSED;
            return verdict.outcome().reply();
        }
        transaction.heldVerdict = verdict.held();
        transaction.acceptedByPolicy = verdict.accepted();
        state = State.MAIL;
        return Replies.SENDER_OK;
    }

    private Reply rcpt(Command.Rcpt rcpt) {
        transaction.recipientTried = true;
        String recipientText = switch (rcpt.path()) {
            case PathParser.Result.Mailbox box -> box.text();
            case PathParser.Result.LocalOnly local -> local.localPart();
            default -> "";
        };
        PolicyGate.Reporter reporter = reporter("RCPT", recipientText);
        // RFC 5321 §4.5.3.1.8: at least 100 must be accepted; more are asked to come in another transaction
        if (transaction.recipients.size() >= settings.maxRecipients()) {
            reporter.report(Replies.TOO_MANY_RECIPIENTS, null, false);
            return Replies.TOO_MANY_RECIPIENTS;
        }
        MailAddress recipient;
        switch (services.relay().check(rcpt.path())) {
            case RelayControl.Verdict.Denied denied -> {
                reporter.report(denied.reply(), null, false);
                return denied.reply();
            }
            case RelayControl.Verdict.Protected ok -> recipient = ok.address();
        }
        PolicyGate.Outcome outcome = policy.atRcpt(query(Stage.RCPT, transaction.sender, recipient),
                transaction.heldVerdict, transaction.acceptedByPolicy, reporter);
        if (!outcome.passes()) {
            if (outcome.disconnect()) {
                state = State.CLOSED;
            }
            return outcome.reply();
        }
        // After the rules, so a refused client never makes mxguard ask the primary about anyone.
        Optional<Reply> unknown = services.recipients().get().refusal(recipient);
        if (unknown.isPresent()) {
            reporter.report(unknown.get(), null, false);
            return unknown.get();
        }
        transaction.recipients.add(recipient);
        state = State.RCPT;
        return Replies.RECIPIENT_OK;
    }

    private Reply data(SessionLimits limits) throws IOException {
        Transaction tx = transaction;
        // RFC 2920 §3.1: DATA ends a pipelined group; a client that sends its message before our 354
        // does not listen, and Postfix's smtpd_forbid_unauth_pipelining disconnects it
        if (connection.input().hasPending()) {
            services.publish(new SessionEvent.ImproperPipelining(now(), client, "DATA",
                    printable(connection.input().peekBuffered(), 100)));
            transaction = null;
            state = State.CLOSED;
            return Replies.PIPELINING_SYNCHRONIZATION;
        }
        Envelope envelope = new Envelope(tx.sender, tx.recipients, client, tx.started, tx.eightBitMime, tx.smtpUtf8);
        lastCommand = "DATA";
        MessageReceiver.Result result = receiver.receive(connection, envelope, client, receivedProtocol(tx),
                limits.dataTimeout());
        lastCommand = "END-OF-MESSAGE";
        transaction = null;
        state = State.READY;
        return switch (result) {
            case MessageReceiver.Result.Queued queued -> {
                services.publish(new SessionEvent.Queued(now(), client, queued.id(), tx.sender, tx.recipients,
                        queued.size(), queued.messageId()));
                // Postfix's hard error limit counts errors "without delivering mail", and the junk
                // command count is reset "after mail is delivered"
                errors = 0;
                junkCommands = 0;
                yield Replies.queued(queued.id().value());
            }
            case MessageReceiver.Result.Refused refused -> {
                services.publish(new SessionEvent.Rejected(now(), client, "DATA", refused.reply(), tx.senderText,
                        tx.recipients.size() == 1 ? tx.recipients.getFirst().address() : null, false, null));
                yield refused.reply();
            }
            case MessageReceiver.Result.Failed failed -> failed.reply();
        };
    }

    /**
     * A refused DATA. A client that sent its message without waiting for 354 (RFC 2920 §3.1: DATA
     * ends a pipelined group) would have the message read as commands, so it is disconnected, as
     * Postfix's smtpd_forbid_unauth_pipelining does.
     */
    private Reply refuseData(Reply reply) throws IOException {
        if (connection.input().hasPending()) {
            services.publish(new SessionEvent.ImproperPipelining(now(), client, "DATA",
                    printable(connection.input().peekBuffered(), 100)));
            state = State.CLOSED;
        }
        return reply;
    }

    private Reply startTls(SessionLimits limits) throws IOException {
        connection.send(Replies.READY_TO_START_TLS);
        connection.flush();
        connection.readTimeout(limits.commandTimeout());
        SSLSession session;
        try {
            session = connection.startTls(services.tls());
        } catch (IOException e) {
            services.publish(new SessionEvent.TlsFailed(now(), client, String.valueOf(e.getMessage())));
            throw e;
        }
        String tls = session.getProtocol() + " with cipher " + session.getCipherSuite();
        // RFC 3207 §4.2: the server MUST discard any knowledge obtained from the client before TLS
        transaction = null;
        policy.forgetHelo();
        extended = false;
        state = State.INIT;
        client = new ClientInfo(client.address(), client.port(), client.name(), null, "SMTP", tls);
        services.publish(new SessionEvent.TlsEstablished(now(), client, session.getProtocol(),
                session.getCipherSuite()));
        return null;
    }

    /** The configured limits, or Postfix's stress values while most connection slots are taken. */
    private SessionLimits limits() {
        return services.connections().underStress() ? stressLimits : normalLimits;
    }

    /** Commands that move no mail, which a client can repeat to hold a session (Postfix's junk commands). */
    private static boolean isJunk(Command command) {
        return command instanceof Command.Noop || command instanceof Command.Rset || command instanceof Command.Vrfy
                || command instanceof Command.Etrn || command instanceof Command.Help;
    }

    /** The last command as Postfix names it when a session breaks off: "RCPT", "DATA (1234 bytes)". */
    private String afterCommand() {
        return lastCommand.equals("DATA") ? "DATA (" + receiver.received() + " bytes)" : lastCommand;
    }

    /** Reports refusals at a stage as {@link SessionEvent.Rejected}, with what the session knows. */
    private PolicyGate.Reporter reporter(String stage, String recipientText) {
        return (reply, rule, warnOnly) -> services.publish(new SessionEvent.Rejected(now(), client, stage, reply,
                transaction == null ? null : transaction.senderText, recipientText, warnOnly, rule));
    }

    private PolicyQuery query(Stage stage, MailAddress sender, MailAddress recipient) {
        return new PolicyQuery(stage, client.address(), client.name(), client.helo(), sender, recipient);
    }

    private String protocol() {
        if (!extended) {
            return "SMTP";
        }
        return client.tls() == null ? "ESMTP" : "ESMTPS";
    }

    /** RFC 3848 and RFC 6531 §3.7.3 "with" keywords. */
    private String receivedProtocol(Transaction tx) {
        String base = protocol();
        return tx.smtpUtf8 ? "UTF8" + (base.equals("ESMTPS") ? "SMTPS" : "SMTP") : base;
    }

    /** The client's verified name, or "unknown" when the lookup takes longer than allowed or it is no host name. */
    private String lookUpName() {
        if (services.names() == ClientNameLookup.NONE) {
            return ClientInfo.UNKNOWN;
        }
        FutureTask<String> lookup = new FutureTask<>(() -> services.names().verifiedName(client.address()));
        Thread.ofVirtual().name("smtp-name-lookup").start(lookup);
        try {
            String name = lookup.get(settings.nameLookupTimeout().toMillis(), TimeUnit.MILLISECONDS);
            // Postfix's valid_hostname: a name with brackets or spaces would forge the log's name[address]
            return HostName.isValid(name) ? name : ClientInfo.UNKNOWN;
        } catch (TimeoutException | ExecutionException e) {
            lookup.cancel(true);
            return ClientInfo.UNKNOWN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ClientInfo.UNKNOWN;
        }
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
