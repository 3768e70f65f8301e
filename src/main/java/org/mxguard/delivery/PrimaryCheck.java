package org.mxguard.delivery;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.mxguard.dns.Dns;
import org.mxguard.mail.Domain;
import org.mxguard.mail.Reply;
import org.mxguard.maillog.MailLog;

/**
 * Asks whether a protected domain's primary MX answers SMTP now: the hosts delivery would relay
 * to (the domain's static route, or its MX hosts more preferred than mxguard, RFC 5321 §5.1, by
 * the same {@link RoutePlanner}), tried in order until one completes banner, EHLO and QUIT.
 * Nothing else is sent. Safe for concurrent use.
 */
public final class PrimaryCheck {

    private final RoutePlanner planner;
    private final String helo;
    private final Duration timeout;

    /**
     * @param timeout for the connect and for each reply
     */
    public PrimaryCheck(DeliverySettings settings, Dns dns, MailLog mailLog, Duration timeout) {
        this.planner = new RoutePlanner(settings, dns, new Random(), LocalIdentity.from(settings), mailLog);
        this.helo = settings.hostname();
        this.timeout = timeout;
    }

    /**
     * What one check found.
     *
     * @param up whether a primary answered
     * @param detail the host that answered, or why none did (for the log line of a change)
     */
    public record Result(boolean up, String detail) {
    }

    public Result check(Domain domain) {
        return switch (planner.route(domain)) {
            case Route.Targets targets -> firstAnswer(targets.targets());
            // No primary to relay to (DNS failing, mxguard the best MX, Null MX): none is up.
            case Route.Defer defer -> new Result(false, "no primary: " + defer.reason());
            case Route.Bounce bounce -> new Result(false, "no primary: " + bounce.reason());
        };
    }

    private Result firstAnswer(List<Target> targets) {
        List<String> failures = new ArrayList<>();
        for (Target target : targets) {
            String failure = converse(target);
            if (failure == null) {
                return new Result(true, target.relay() + " answers");
            }
            failures.add(target.relay() + " " + failure);
        }
        return new Result(false, String.join("; ", failures));
    }

    private boolean namesMe(Reply banner) {
        String first = banner.lines().isEmpty() ? "" : banner.lines().getFirst().strip();
        int space = first.indexOf(' ');
        return (space < 0 ? first : first.substring(0, space)).equalsIgnoreCase(helo);
    }

    /** Banner, EHLO, QUIT; null when each got its positive reply, else what went wrong. */
    private String converse(Target target) {
        try (Socket socket = new Socket()) {
            socket.connect(target.socketAddress(), (int) timeout.toMillis());
            try (ClientConnection conn = new ClientConnection(socket)) {
                // RFC 5321 §4.2: 220 is the greeting of a server ready for mail; 554 or 421 is not.
                Reply banner = conn.read(timeout);
                if (banner.code() != 220) {
                    return "greeted with " + banner.code();
                }
                if (namesMe(banner)) {
                    // A route or MX record that leads back here: that is no primary (ClientSession's loop check).
                    return "greeted me with my own hostname " + helo;
                }
                conn.command("EHLO " + helo);
                conn.flush(timeout);
                Reply ehlo = conn.read(timeout);
                if (ehlo.code() != 250) {
                    return "answered EHLO with " + ehlo.code();
                }
                try {
                    conn.command("QUIT");
                    conn.flush(timeout);
                    conn.read(timeout);
                } catch (IOException e) {
                    // It greeted and took EHLO: it is up, however it ends the session.
                }
                return null;
            }
        } catch (IOException e) {
            return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
    }
}
