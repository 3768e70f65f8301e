package org.mxguard.spool;

import java.io.IOException;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.mxguard.mail.QueueId;

/**
 * A process to kill: sessions commit, update and remove messages in a loop and print a line after
 * each call returns ("queued ID", "state ID", "removed ID"; "removing ID" just before a removal starts), as the SMTP server would answer 250
 * only after commit returned. {@link SpoolKillIT} kills it with SIGKILL and checks the spool against
 * what was printed. Also usable by hand: {@code java ... SpoolCrashDriver DIR [SESSIONS]}.
 */
public final class SpoolCrashDriver {

    private SpoolCrashDriver() {
    }

    static String content(QueueId id, int n) {
        return "Message-Id: <" + id + "@crash.test>\r\n\r\n" + ("line " + n + " of " + id + "\r\n").repeat(n % 200);
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int sessions = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        // One write(2) per line, so a kill never leaves half a line in the pipe.
        FileOutputStream out = new FileOutputStream(FileDescriptor.out);
        FileSpool spool = FileSpool.open(SpoolSettings.defaults(dir).withMinFreeBytes(0), Clock.systemUTC());
        spool.recover();
        print(out, "ready");
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int s = 0; s < sessions; s++) {
                pool.submit(() -> session(spool, out));
            }
        }
    }

    private static Void session(FileSpool spool, FileOutputStream out) throws IOException {
        for (int n = 0; ; n++) {
            QueueId id;
            try (MessageWriter writer = spool.begin(SpoolFixtures.envelope("a@protected.example",
                    "b@protected.example"))) {
                id = writer.id();
                writer.content().write(content(id, n).getBytes(StandardCharsets.US_ASCII));
                writer.commit();
            }
            print(out, "queued " + id);
            if (n % 3 == 1) {
                spool.update(id, s -> new DeliveryState(List.of(SpoolFixtures.envelope("b@protected.example")
                        .recipients().getFirst()), 1, Instant.ofEpochSecond(2_000_000_000L), "451 later", false, false));
                print(out, "state " + id);
            }
            if (n % 5 == 2) {
                print(out, "removing " + id);
                spool.remove(id);
                print(out, "removed " + id);
            }
        }
    }

    private static void print(FileOutputStream out, String line) throws IOException {
        synchronized (out) {
            out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
        }
    }
}
