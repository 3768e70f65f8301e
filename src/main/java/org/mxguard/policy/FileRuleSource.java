package org.mxguard.policy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rule file, reloaded when its modification time or size changes (polled) or on demand
 * ({@link #reload()}, for SIGHUP). A reload compiles the new file completely before one volatile
 * write publishes it; a file with errors leaves the previous rules in force and says why.
 */
public final class FileRuleSource implements RuleSource, AutoCloseable {

    /** The outcome of one reload. */
    public sealed interface ReloadResult {
        /** The new rules are in force. */
        record Loaded(int rules, Duration took) implements ReloadResult {
        }

        /** The file has errors; the previous rules stay in force. */
        record Kept(int rulesInForce, String errors) implements ReloadResult {
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(FileRuleSource.class);

    private final Path file;
    private final PolicySettings settings;
    private final Clock clock;
    private volatile RuleSet current;
    private volatile String stamp;
    private volatile Thread poller;

    private FileRuleSource(Path file, PolicySettings settings, Clock clock, RuleSet first, String stamp) {
        this.file = file;
        this.settings = settings;
        this.clock = clock;
        this.current = first;
        this.stamp = stamp;
    }

    /** Loads the file; a server must not start on a broken rule file, so errors are thrown here. */
    public static FileRuleSource open(Path file, PolicySettings settings, Clock clock) throws PolicyParseException {
        RuleSet first = RuleSet.load(file, settings);
        return new FileRuleSource(file, settings, clock, first, stampOf(file, first));
    }

    @Override
    public String name() {
        return "rules file " + file;
    }

    @Override
    public RuleSet current() {
        return current;
    }

    /** Reads the file again now. */
    public synchronized ReloadResult reload() {
        Instant start = clock.instant();
        String before = stampOf(file, current);
        try {
            RuleSet loaded = RuleSet.load(file, settings);
            current = loaded;
            stamp = stampOf(file, loaded);
            Duration took = Duration.between(start, clock.instant());
            LOG.info("policy: loaded {} rules from {} in {} ms", loaded.size(), file, took.toMillis());
            return new ReloadResult.Loaded(loaded.size(), took);
        } catch (PolicyParseException e) {
            // Remember the broken version so polling does not re-report it every interval.
            stamp = before;
            LOG.error("policy: {} has errors, keeping the {} rules in force:\n{}", file, current.size(),
                    e.getMessage());
            return new ReloadResult.Kept(current.size(), e.getMessage());
        }
    }

    /**
     * Reloads if the modification time or size of the rule file, or of a file it includes or
     * lists, changed since the last load; null if nothing changed.
     */
    public ReloadResult reloadIfChanged() {
        String now = stampOf(file, current);
        return now.equals(stamp) ? null : reload();
    }

    /** Starts a daemon thread that calls {@link #reloadIfChanged()} every reload interval. */
    public synchronized void startPolling() {
        if (poller != null) {
            return;
        }
        long millis = settings.reloadInterval().toMillis();
        poller = Thread.ofPlatform().daemon().name("policy-reload").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(millis);
                    reloadIfChanged();
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    @Override
    public synchronized void close() {
        if (poller != null) {
            poller.interrupt();
            poller = null;
        }
    }

    private static String stampOf(Path file, RuleSet set) {
        StringBuilder out = new StringBuilder(stampOf(file));
        for (Path p : set.sourceFiles()) {
            out.append(' ').append(stampOf(p));
        }
        return out.toString();
    }

    private static String stampOf(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return a.lastModifiedTime().toMillis() + "/" + a.size() + "/" + a.fileKey();
        } catch (IOException e) {
            return "unreadable";
        }
    }
}
