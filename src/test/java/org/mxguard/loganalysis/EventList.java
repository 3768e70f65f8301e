package org.mxguard.loganalysis;

import java.util.List;

/** The fast path's calls made events again, every field filled: what the string path gives, for comparing the two. */
class EventList implements BlockParser.Sink {

    private final List<LogEvent> out;

    EventList(List<LogEvent> out) {
        this.out = out;
    }

    @Override
    public void event(LogEvent e) {
        out.add(e);
    }

    @Override
    public void connect(String host, long time, BlockParser.ClientRef c) {
        out.add(new LogEvent.Connect(host, time, c.name, c.ip));
    }

    @Override
    public void disconnect(String host, long time, BlockParser.ClientRef c) {
        out.add(new LogEvent.Seen(host, time, c.name, c.ip, "disconnect"));
    }

    @Override
    public void client(String host, long time, long high, long low, BlockParser.ClientRef c) {
        out.add(new LogEvent.Client(host, time, LogQueueId.unpack(high, low), c.name, c.ip));
    }

    @Override
    public void from(String host, long time, long high, long low, String sender, long size, int nrcpts) {
        out.add(new LogEvent.From(host, time, LogQueueId.unpack(high, low), sender, size, nrcpts, null, null, null,
                null));
    }

    @Override
    public void to(String host, long time, long high, long low, LogEvent.Status status, String stat,
            String recipient, int recipients, String relay, String dsn, String mailer) {
        out.add(new LogEvent.To(host, time, LogQueueId.unpack(high, low), recipient, recipients, relay, dsn, status,
                stat, mailer));
    }

    @Override
    public void message(String host, long time, long high, long low, BlockParser.ClientRef c, String sender, long size,
            int nrcpts, String msgid, String proto) {
        out.add(new LogEvent.From(host, time, LogQueueId.unpack(high, low), sender, size, nrcpts, msgid, proto,
                c == null ? null : c.name, c == null ? null : c.ip));
    }

    @Override
    public void removed(String host, long time, long high, long low) {
        out.add(new LogEvent.Removed(host, time, LogQueueId.unpack(high, low)));
    }

    @Override
    public boolean details() {
        return true;
    }
}
