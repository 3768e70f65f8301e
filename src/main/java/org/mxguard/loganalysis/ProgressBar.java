package org.mxguard.loganalysis;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongConsumer;

/**
 * A one-line progress bar on a terminal ({@code [#####     ] 52% 512/983 MB 610 MB/s}), redrawn
 * with a carriage return at most ten times a second. Only for terminals: a pipe gets nothing.
 */
public final class ProgressBar implements LongConsumer {

    private final PrintStream out;
    private final long total;
    private final long start = System.nanoTime();
    private long lastDraw;

    public ProgressBar(PrintStream out, long totalBytes) {
        this.out = out;
        this.total = Math.max(1, totalBytes);
    }

    @Override
    public synchronized void accept(long done) {
        long now = System.nanoTime();
        if (now - lastDraw < 100_000_000L && done < total) {
            return;
        }
        lastDraw = now;
        double share = Math.min(1.0, (double) done / total);
        int filled = (int) Math.round(share * 30);
        double seconds = Math.max(1e-3, (now - start) / 1e9);
        out.printf(Locale.ROOT, "\r[%s%s] %3d%% %,d/%,d MB %,.0f MB/s ", "#".repeat(filled), " ".repeat(30 - filled),
                Math.round(share * 100), done >> 20, total >> 20, done / 1048576.0 / seconds);
        out.flush();
    }

    public void finish() {
        out.print("\r" + " ".repeat(78) + "\r");
        out.flush();
    }
}
