package org.mxguard.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLException;
import org.mxguard.mail.ClientInfo;
import org.mxguard.mail.EnhancedStatus;
import org.mxguard.mail.MailAddress;
import org.mxguard.mail.Reply;

/**
 * One SMTP client session on a connected socket, for one transaction.
 *
 * <p>States, in order: GREETING (220 expected) → HELLO (EHLO, HELO if EHLO is refused) →
 * optional STARTTLS and a second EHLO → optional XFORWARD → MAIL → RCPT for each recipient →
 * DATA → content → QUIT. With PIPELINING (RFC 2920) MAIL, every RCPT and DATA go in one write.
 * A failure before the first RCPT is the host's ({@link SessionResult.HostFailed}: try the next
 * address); from then on every recipient gets its own result, and an unknown failure is always
 * temporary.
 */
final class ClientSession {

    private static final String STARTTLS_STAGE = "performing the STARTTLS handshake";

    private final ClientConnection conn;
    private final Target target;
    private final ClientTransaction tx;
    private final String heloName;
    private final SmtpTimeouts timeouts;
    private final TlsMode tls;
    private final TlsContexts contexts;
    private final long started;
    private final Map<String, String> knownExtensions;
    private final boolean keepOpen;
    private boolean reusable;
    private long transactionStarted;
    private String stage = "receiving the initial server greeting";
    private String lastCommand = "";
    private boolean recipientsSent;
    private final Map<MailAddress, DeliveryResult> results = new LinkedHashMap<>();
    private Map<String, String> extensions = Map.of();

    /**
     * @param knownExtensions the EHLO keywords of a reused connection (greeting, EHLO and TLS are
     *     then already done), or null for a fresh connection
     * @param keepOpen end a finished transaction with RSET instead of QUIT, so the connection can be reused
     */
    ClientSession(ClientConnection conn, Target target, ClientTransaction tx, String heloName, SmtpTimeouts timeouts,
            TlsMode tls, TlsContexts contexts, long started, Map<String, String> knownExtensions, boolean keepOpen) {
        this.conn = conn;
        this.target = target;
        this.tx = tx;
        this.heloName = heloName;
        this.timeouts = timeouts;
        this.tls = tls;
        this.contexts = contexts;
        this.started = started;
        this.knownExtensions = knownExtensions;
        this.keepOpen = keepOpen;
    }

    /** True when the session ended with a clean RSET: the connection may carry the next message. */
    boolean reusable() {
        return reusable;
    }

    Map<String, String> extensions() {
        return extensions;
    }

    SessionResult run() {
        try {
            return converse();
        } catch (SSLException e) {
            if (!stage.equals(STARTTLS_STAGE)) {
                // A TLS error after the handshake is a lost connection: retrying in plain text could
                // deliver the message twice.
                return failed("lost connection with " + target.host() + " while " + stage + ": " + e.getMessage());
            }
            return new SessionResult.HostFailed(EnhancedStatus.parse("4.7.5"),
                    "TLS handshake with " + target.host() + " failed: " + e.getMessage(), true);
        } catch (SocketTimeoutException e) {
            return failed("conversation with " + target.host() + " timed out while " + stage);
        } catch (SmtpProtocolException e) {
            return failed("protocol error with " + target.host() + " while " + stage + ": " + e.getMessage());
        } catch (IOException e) {
            return failed("lost connection with " + target.host() + " while " + stage);
        }
    }

    private SessionResult converse() throws IOException {
        if (knownExtensions != null) {
            extensions = knownExtensions;
            return transaction();
        }
        Reply banner = conn.read(timeouts.greeting());
        if (banner.code() != 220) {
            // Postfix smtp_skip_5xx_greeting: a server that will not talk is skipped, never a bounce.
            return new SessionResult.HostFailed(temporary(banner), "host " + target.host()
                    + " refused to talk to me: " + banner, false);
        }
        if (namesMe(banner)) {
            return looped("greeted me with my own hostname ");
        }
        stage = "performing the EHLO handshake";
        Reply hello = hello();
        if (!hello.isPositive()) {
            return hostSaid(hello);
        }
        if (namesMe(hello)) {
            return looped("replied to HELO/EHLO with my own hostname ");
        }
        if (tls != TlsMode.NONE && extensions.containsKey("STARTTLS")) {
            stage = STARTTLS_STAGE;
            send("STARTTLS");
            Reply reply = conn.read(timeouts.command());
            if (reply.code() == 220) {
                conn.startTls(tls == TlsMode.VERIFY ? contexts.verified() : contexts.unverified(),
                        target.hostName(), tls == TlsMode.VERIFY, timeouts.greeting());
                stage = "performing the EHLO handshake";
                hello = hello();
                if (!hello.isPositive()) {
                    return hostSaid(hello);
                }
            } else if (tls == TlsMode.VERIFY) {
                return hostSaid(reply);
            }
        } else if (tls == TlsMode.VERIFY) {
            return new SessionResult.HostFailed(EnhancedStatus.parse("4.7.4"),
                    "TLS is required, but was not offered by host " + target.host(), false);
        }
        return transaction();
    }

    /**
     * A server that calls itself by this host's name is this host (Postfix's loop check: DNS or a
     * route may be wrong, or a NAT may lead back here unnoticed). The first word of the greeting or
     * of the EHLO reply is the server's name (RFC 5321 §4.2).
     */
    private boolean namesMe(Reply reply) {
        String first = reply.lines().isEmpty() ? "" : reply.lines().getFirst().strip();
        int space = first.indexOf(' ');
        String name = space < 0 ? first : first.substring(0, space);
        return name.equalsIgnoreCase(heloName);
    }

    private SessionResult looped(String what) {
        quit();
        return new SessionResult.Looped("host " + target.host() + " " + what + heloName);
    }

    private SessionResult transaction() throws IOException {
        if (extensions.containsKey("XFORWARD") && tx.client() != null) {
            stage = "sending XFORWARD";
            xforward(tx.client());
        }
        if (tx.smtpUtf8() && !extensions.containsKey("SMTPUTF8")) {
            // RFC 6531 §3.4: a message that needs SMTPUTF8 is never downgraded on the way; Postfix's words.
            endTransaction();
            return new SessionResult.Unsuitable(EnhancedStatus.parse("5.6.7"),
                    "SMTPUTF8 is required, but was not offered by host " + target.host());
        }
        transactionStarted = System.nanoTime();
        stage = "sending MAIL FROM";
        long limit = sizeLimit();
        if (limit > 0 && tx.size() > limit) {
            Duration setup = Duration.ofNanos(transactionStarted - started);
            String reason = "message size " + tx.size() + " exceeds size limit " + limit + " of server " + target.host();
            List<DeliveryResult> bounced = new ArrayList<>();
            for (MailAddress rcpt : tx.recipients()) {
                bounced.add(new DeliveryResult.Bounced(rcpt, target.relay(), EnhancedStatus.parse("5.3.4"), reason, null));
            }
            endTransaction();
            return new SessionResult.Completed(bounced, setup, Duration.ZERO);
        }
        return extensions.containsKey("PIPELINING") ? pipelined() : lockstep();
    }

    private Reply hello() throws IOException {
        send("EHLO " + heloName);
        Reply reply = conn.read(timeouts.greeting());
        if (reply.isPositive()) {
            extensions = parseExtensions(reply);
            return reply;
        }
        // RFC 5321 §3.2: a server that does not know EHLO still speaks HELO.
        send("HELO " + heloName);
        extensions = Map.of();
        return conn.read(timeouts.greeting());
    }

    private SessionResult pipelined() throws IOException {
        send(mailFrom(), false);
        for (MailAddress rcpt : tx.recipients()) {
            send("RCPT TO:" + rcpt.bracketed(), false);
        }
        send("DATA", false);
        conn.flush(timeouts.command());
        lastCommand = "MAIL FROM";
        Reply mail = conn.read(timeouts.command());
        // Until the MAIL reply arrived the server accepted nothing: a failure before it is the host's.
        recipientsSent = true;
        List<MailAddress> accepted = new ArrayList<>();
        stage = "sending RCPT TO";
        lastCommand = "RCPT TO";
        for (MailAddress rcpt : tx.recipients()) {
            Reply reply = conn.read(timeouts.command());
            if (mail.isPositive()) {
                recipientReply(rcpt, reply, accepted);
            }
        }
        stage = "sending DATA command";
        lastCommand = "DATA";
        Reply data = conn.read(timeouts.dataInit());
        if (!mail.isPositive()) {
            lastCommand = "MAIL FROM";
            if (data.code() == 354) {
                // A server that opened DATA without a sender cannot be told QUIT: hang up instead.
                conn.close();
            }
            return mailRefused(mail);
        }
        return dataPhase(data, accepted);
    }

    private SessionResult lockstep() throws IOException {
        send(mailFrom());
        lastCommand = "MAIL FROM";
        Reply mail = conn.read(timeouts.command());
        if (!mail.isPositive()) {
            return mailRefused(mail);
        }
        stage = "sending RCPT TO";
        lastCommand = "RCPT TO";
        recipientsSent = true;
        List<MailAddress> accepted = new ArrayList<>();
        for (MailAddress rcpt : tx.recipients()) {
            send("RCPT TO:" + rcpt.bracketed());
            recipientReply(rcpt, conn.read(timeouts.command()), accepted);
        }
        if (accepted.isEmpty()) {
            endTransaction();
            return completed();
        }
        stage = "sending DATA command";
        lastCommand = "DATA";
        send("DATA");
        return dataPhase(conn.read(timeouts.dataInit()), accepted);
    }

    private SessionResult dataPhase(Reply data, List<MailAddress> accepted) throws IOException {
        if (accepted.isEmpty()) {
            if (data.code() == 354) {
                // RFC 2920 §3.1: the server should have refused DATA; sending nothing is the only safe content.
                conn.close();
                return completed();
            }
            endTransaction();
            return completed();
        }
        if (data.code() != 354) {
            for (MailAddress rcpt : accepted) {
                results.put(rcpt, fromReply(rcpt, data));
            }
            endTransaction();
            return completed();
        }
        stage = "sending message body";
        try (InputStream content = tx.content().open()) {
            conn.guarded(timeouts.dataBlock().multipliedBy(Math.max(1, tx.size() / 65536 + 1)), () -> {
                DotStuffing.copy(content, conn.content());
                conn.content().flush();
            });
        }
        stage = "sending end of data -- message may be sent more than once";
        lastCommand = "end of DATA";
        Reply done = conn.read(timeouts.dataDone());
        for (MailAddress rcpt : accepted) {
            results.put(rcpt, done.isPositive() ? new DeliveryResult.Delivered(rcpt, target.relay(), done)
                    : fromReply(rcpt, done));
        }
        endTransaction();
        return completed();
    }

    private void recipientReply(MailAddress rcpt, Reply reply, List<MailAddress> accepted) {
        if (reply.isPositive()) {
            accepted.add(rcpt);
        } else {
            results.put(rcpt, fromReply(rcpt, reply));
        }
    }

    private SessionResult mailRefused(Reply mail) {
        if (mail.isPermanent()) {
            for (MailAddress rcpt : tx.recipients()) {
                results.put(rcpt, fromReply(rcpt, mail));
            }
            endTransaction();
            return completed();
        }
        return hostSaid(mail);
    }

    private DeliveryResult fromReply(MailAddress rcpt, Reply reply) {
        String reason = "host " + target.host() + " said: " + reply + " (in reply to " + lastCommand + " command)";
        if (reply.isPermanent()) {
            return new DeliveryResult.Bounced(rcpt, target.relay(), permanent(reply), reason, reply);
        }
        return new DeliveryResult.Deferred(rcpt, target.relay(), temporary(reply), reason);
    }

    private SessionResult hostSaid(Reply reply) {
        quit();
        String reason = "host " + target.host() + " said: " + reply + " (in reply to " + lastCommandOr("EHLO") + " command)";
        return new SessionResult.HostFailed(temporary(reply), reason, false);
    }

    private String lastCommandOr(String fallback) {
        return lastCommand.isEmpty() ? fallback : lastCommand;
    }

    /** An I/O failure: before any recipient was sent, the host failed; after, every open recipient is deferred. */
    private SessionResult failed(String reason) {
        conn.close();
        if (!recipientsSent) {
            return new SessionResult.HostFailed(EnhancedStatus.parse("4.4.2"), reason, false);
        }
        for (MailAddress rcpt : tx.recipients()) {
            results.putIfAbsent(rcpt, new DeliveryResult.Deferred(rcpt, target.relay(), EnhancedStatus.parse("4.4.2"),
                    reason));
        }
        return completed();
    }

    private SessionResult.Completed completed() {
        long now = System.nanoTime();
        long txStart = transactionStarted == 0 ? now : transactionStarted;
        List<DeliveryResult> all = new ArrayList<>();
        for (MailAddress rcpt : tx.recipients()) {
            DeliveryResult r = results.get(rcpt);
            // Defensive: a recipient without an answer was never delivered, so it stays queued.
            all.add(r != null ? r : new DeliveryResult.Deferred(rcpt, target.relay(), EnhancedStatus.parse("4.4.2"),
                    "no reply from " + target.host() + " for this recipient"));
        }
        return new SessionResult.Completed(all, Duration.ofNanos(txStart - started), Duration.ofNanos(now - txStart));
    }

    /** Ends a finished transaction: RSET to keep the connection for the next message, else QUIT. */
    private void endTransaction() {
        if (keepOpen) {
            try {
                send("RSET");
                if (conn.read(timeouts.command()).code() == 250) {
                    reusable = true;
                    return;
                }
            } catch (IOException e) {
                conn.close();
                return;
            }
        }
        quit();
    }

    private void quit() {
        try {
            send("QUIT");
            conn.read(timeouts.command());
        } catch (IOException ignored) {
            // The transaction's outcome is settled; a server that drops the line at QUIT changes nothing.
        }
        conn.close();
    }

    private String mailFrom() {
        StringBuilder cmd = new StringBuilder("MAIL FROM:").append(tx.sender().bracketed());
        if (extensions.containsKey("SIZE")) {
            cmd.append(" SIZE=").append(tx.size());
        }
        if (tx.eightBitMime() && extensions.containsKey("8BITMIME")) {
            cmd.append(" BODY=8BITMIME");
        }
        if (tx.smtpUtf8()) {
            cmd.append(" SMTPUTF8");
        }
        return cmd.toString();
    }

    private long sizeLimit() {
        String value = extensions.get("SIZE");
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            return Long.parseLong(value.strip().split(" ")[0]);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private void xforward(ClientInfo client) throws IOException {
        lastCommand = "XFORWARD";
        for (String command : Xforward.commands(client, extensions.get("XFORWARD"))) {
            send(command);
            // A refused XFORWARD costs only the forwarded identity; the mail still goes.
            conn.read(timeouts.command());
        }
    }

    private void send(String line) throws IOException {
        send(line, true);
    }

    private void send(String line, boolean flush) throws IOException {
        conn.command(line);
        if (flush) {
            conn.flush(timeouts.command());
        }
    }

    static Map<String, String> parseExtensions(Reply ehlo) {
        Map<String, String> ext = new HashMap<>();
        for (String line : ehlo.lines().subList(1, ehlo.lines().size())) {
            String s = line.strip();
            int space = s.indexOf(' ');
            String keyword = (space < 0 ? s : s.substring(0, space)).toUpperCase(Locale.ROOT);
            ext.put(keyword, space < 0 ? "" : s.substring(space + 1).strip());
        }
        return ext;
    }

    private static EnhancedStatus temporary(Reply reply) {
        if (reply.status() != null && reply.status().klass() == 4) {
            return reply.status();
        }
        return reply.status() != null ? reply.status().withClass(4) : new EnhancedStatus(4, 0, 0);
    }

    private static EnhancedStatus permanent(Reply reply) {
        return reply.status() != null ? reply.status() : new EnhancedStatus(5, 0, 0);
    }
}
