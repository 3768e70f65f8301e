package org.mxguard.cli;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.mxguard.config.MxguardConfig;
import org.mxguard.control.ControlResponse;
import org.mxguard.control.ControlServer;
import org.mxguard.dns.Dns;
import org.mxguard.mail.QueueId;
import org.mxguard.mail.Reply;
import org.mxguard.maillog.MailLog;
import org.mxguard.smtp.EtrnHandler;
import org.mxguard.smtp.SessionEvent;
import org.mxguard.spool.Spool;

/** The queue side of a running server: delivery, and the queue commands of the control socket. */
final class QueueService implements AutoCloseable {

    private final Spool spool;

    private QueueService(Spool spool) {
        this.spool = spool;
    }

    static QueueService start(MxguardConfig config, Spool spool, Dns dns, MailLog mailLog, Clock clock) {
        return new QueueService(spool);
    }

    void onSessionEvent(SessionEvent event) {
    }

    EtrnHandler etrnHandler() {
        return (argument, client) -> Reply.of(458, "4.3.0", "Unable to queue messages for " + argument);
    }

    void registerControl(ControlServer control) {
        control.register("queue-count", args -> ControlResponse.ok(List.of(String.valueOf(spool.list().size()))));
        control.register("queue-list", args -> {
            List<String> lines = new ArrayList<>();
            for (QueueId id : spool.list()) {
                lines.add(id.value());
            }
            return ControlResponse.ok(lines);
        });
    }

    @Override
    public void close() throws IOException {
    }
}
