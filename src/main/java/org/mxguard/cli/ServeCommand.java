package org.mxguard.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.mxguard.config.ConfigException;
import org.mxguard.config.ConfigLoader;
import org.mxguard.config.MxguardConfig;
import org.mxguard.policy.PolicyParseException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/**
 * {@code mxguard serve}: runs the backup MX until SIGTERM or SIGINT; SIGHUP reopens the mail log file
 * (after logrotate) and reloads the rules.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the backup MX: SMTP server, spool and delivery.")
final class ServeCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = DefaultConfig.OPTION_DEFAULT,
            description = "The configuration file (default: $MXGUARD_CONFIG, else " + DefaultConfig.INSTALLED + ").")
    Path config;

    @Override
    public Integer call() {
        MxguardConfig loaded;
        try {
            loaded = ConfigLoader.loadForServing(config);
        } catch (ConfigException e) {
            e.problems().forEach(System.err::println);
            return 1;
        }
        Server server = new Server(loaded, Clock.systemDefaultZone());
        AtomicBoolean started = new AtomicBoolean();
        // Handled from the first moment: the JVM's default for SIGHUP is to exit.
        Signal.handle(new Signal("HUP"), signal -> {
            if (started.get()) {
                server.reopenMailLog();
            }
            System.err.println("mxguard: SIGHUP: "
                    + (started.get() ? server.reloadPolicy() : "still starting; the rules are being read"));
        });
        try {
            server.start();
        } catch (PolicyParseException e) {
            System.err.println(e.getMessage());
            return 1;
        } catch (IOException | RuntimeException e) {
            System.err.println("mxguard: cannot start: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "shutdown"));
        started.set(true);
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
