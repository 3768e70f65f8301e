package org.mxguard.delivery;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import org.mxguard.mail.Domain;
import org.mxguard.mail.MailAddress;
import org.mxguard.mail.Reply;

/**
 * Asks a domain's primary whether it takes mail for a recipient, as Postfix's verify service does:
 * {@code MAIL FROM:<>}, {@code RCPT TO:<user@domain>}, then {@code RSET} and {@code QUIT}; no
 * message is ever sent. The primary is found as for delivery (a static route or the MX hosts more
 * preferred than this one), and STARTTLS is used as for delivery.
 *
 * <p>Every step shares one deadline: the SMTP client waiting at RCPT is kept waiting at most that long.
 */
final class RecipientProbe {

    private final RoutePlanner planner;
    private final String heloName;
    private final TlsMode tls;
    private final TlsContexts contexts;
    private final Duration timeout;

    RecipientProbe(RoutePlanner planner, String heloName, TlsMode tls, TlsContexts contexts, Duration timeout) {
        this.planner = planner;
        this.heloName = heloName;
        this.tls = tls;
        this.contexts = contexts;
        this.timeout = timeout;
    }

    ProbeResult probe(MailAddress recipient) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Domain domain = recipient.domain();
        return switch (planner.route(domain)) {
            case Route.Defer defer -> new ProbeResult.Unreachable(defer.reason());
            case Route.Bounce bounce -> new ProbeResult.Unreachable(bounce.reason());
            case Route.Targets targets -> {
                String last = "no address to ask";
                for (Target target : targets.targets()) {
                    if (System.nanoTime() >= deadline) {
                        break;
                    }
                    ProbeResult result = ask(target, recipient, deadline);
                    if (!(result instanceof ProbeResult.Unreachable unreachable)) {
                        yield result;
                    }
                    last = unreachable.reason();
                }
                yield new ProbeResult.Unreachable(last);
            }
        };
    }

    private ProbeResult ask(Target target, MailAddress recipient, long deadline) {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(target.socketAddress(), (int) Math.max(1, left(deadline).toMillis()));
        } catch (IOException e) {
            close(socket);
            return new ProbeResult.Unreachable("connect to " + target.relay() + ": " + e.getMessage());
        }
        try (ClientConnection conn = new ClientConnection(socket)) {
            Reply banner = conn.read(left(deadline));
            if (banner.code() != 220 || ownName(banner)) {
                return new ProbeResult.Unreachable("host " + target.host() + " greeted me with: " + banner);
            }
            Map<String, String> extensions = hello(conn, deadline);
            if (extensions == null) {
                return new ProbeResult.Unreachable("host " + target.host() + " refused EHLO and HELO");
            }
            if (tls != TlsMode.NONE && extensions.containsKey("STARTTLS")) {
                conn.command("STARTTLS");
                conn.flush(left(deadline));
                if (conn.read(left(deadline)).code() == 220) {
                    conn.startTls(tls == TlsMode.VERIFY ? contexts.verified() : contexts.unverified(),
                            target.hostName(), tls == TlsMode.VERIFY, left(deadline));
                    if (hello(conn, deadline) == null) {
                        return new ProbeResult.Unreachable("host " + target.host() + " refused EHLO after STARTTLS");
                    }
                } else if (tls == TlsMode.VERIFY) {
                    return new ProbeResult.Unreachable("host " + target.host() + " refused STARTTLS");
                }
            } else if (tls == TlsMode.VERIFY) {
                return new ProbeResult.Unreachable("TLS is required, but was not offered by host " + target.host());
            }
            Reply mail = command(conn, "MAIL FROM:<>", deadline);
            if (!mail.isPositive()) {
                // A primary that refuses the null sender says nothing about the recipient.
                return new ProbeResult.TryLater(mail, said(target, mail, "MAIL FROM"));
            }
            Reply rcpt = command(conn, "RCPT TO:" + recipient.bracketed(), deadline);
            quit(conn, deadline);
            if (rcpt.isPositive()) {
                return new ProbeResult.Valid();
            }
            String reason = said(target, rcpt, "RCPT TO");
            return rcpt.isPermanent() ? new ProbeResult.Invalid(rcpt, reason) : new ProbeResult.TryLater(rcpt, reason);
        } catch (IOException e) {
            return new ProbeResult.Unreachable("conversation with " + target.host() + " failed: " + e.getMessage());
        }
    }

    private Map<String, String> hello(ClientConnection conn, long deadline) throws IOException {
        Reply ehlo = command(conn, "EHLO " + heloName, deadline);
        if (ehlo.isPositive()) {
            return ClientSession.parseExtensions(ehlo);
        }
        return command(conn, "HELO " + heloName, deadline).isPositive() ? Map.of() : null;
    }

    private boolean ownName(Reply banner) {
        String first = banner.lines().isEmpty() ? "" : banner.lines().getFirst().strip();
        return first.split(" ", 2)[0].equalsIgnoreCase(heloName);
    }

    private static Reply command(ClientConnection conn, String line, long deadline) throws IOException {
        conn.command(line);
        conn.flush(left(deadline));
        return conn.read(left(deadline));
    }

    private static void quit(ClientConnection conn, long deadline) {
        try {
            command(conn, "RSET", deadline);
            command(conn, "QUIT", deadline);
        } catch (IOException ignored) {
            // The answer is in; how the server ends the conversation changes nothing.
        }
    }

    private static String said(Target target, Reply reply, String command) {
        return "host " + target.host() + " said: " + reply + " (in reply to " + command + " command)";
    }

    private static Duration left(long deadline) {
        return Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Nothing was said on it.
        }
    }
}
