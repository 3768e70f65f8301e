package org.mxguard.delivery;

import java.io.IOException;
import java.net.Socket;
import org.mxguard.mail.Domain;
import org.mxguard.mail.Reply;

/**
 * Asks whether a destination is back: connects to its first route address and reads the SMTP
 * greeting. A 220 means the primary answers again, so its deferred mail should go now instead of
 * waiting out the backoff; nothing is sent but QUIT.
 */
public final class Prober {

    private final RoutePlanner planner;
    private final SmtpTimeouts timeouts;
    private final DeliveryLog log;

    public Prober(RoutePlanner planner, SmtpTimeouts timeouts, DeliveryLog log) {
        this.planner = planner;
        this.timeouts = timeouts;
        this.log = log;
    }

    boolean answers(Domain domain) {
        if (!(planner.route(domain) instanceof Route.Targets route)) {
            return false;
        }
        for (Target target : route.targets()) {
            Socket socket = new Socket();
            try {
                socket.connect(target.socketAddress(), (int) timeouts.connect().toMillis());
                try (ClientConnection conn = new ClientConnection(socket)) {
                    Reply banner = conn.read(timeouts.greeting());
                    conn.command("QUIT");
                    conn.flush(timeouts.command());
                    if (banner.code() == 220) {
                        log.info("qmgr", "probe: " + domain + " answers again at " + target.relay()
                                + ", flushing its deferred mail");
                        return true;
                    }
                }
            } catch (IOException e) {
                closeQuietly(socket);
            }
        }
        return false;
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // The probe failed either way.
        }
    }
}
