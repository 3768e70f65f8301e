package org.mxguard.cli;

import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code mxguard} command. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        usePlatformPollers();
        System.exit(run(args));
    }

    /** Runs a command line; returns its exit code. */
    static int run(String... args) {
        Class<?> verb = args.length > 0 ? verb(args[0]) : null;
        if (verb != null) {
            // Only the verb's own commands are built: picocli reads the annotations of every
            // command it is given, which for the whole tree costs a run of `analyze` about 0.15 s.
            CommandLine one = new CommandLine(verb).setCommandName("mxguard " + args[0]);
            return one.execute(Arrays.copyOfRange(args, 1, args.length));
        }
        return newCommandLine().execute(args);
    }

    /** The root's subcommand named {@code name}, found from the annotations alone; null if none. */
    private static Class<?> verb(String name) {
        for (Class<?> c : MxguardCommand.class.getAnnotation(Command.class).subcommands()) {
            Command command = c.getAnnotation(Command.class);
            if (command != null && command.name().equals(name)) {
                return c;
            }
        }
        return null;
    }

    /**
     * Socket readiness for the sessions' virtual threads is watched by platform threads that unpark
     * the sessions directly, instead of by poller virtual threads that themselves need a carrier to
     * run: one thread hand-off less per SMTP round trip. It cut the time per message of a
     * one-session client by a quarter (bench/inbound/run.sh, docs/BENCHMARKS.md) at no cost with
     * many sessions. Must run before the first socket is used; {@code -Djdk.pollerMode=2} still
     * selects the JDK's default.
     */
    static void usePlatformPollers() {
        if (System.getProperty("jdk.pollerMode") == null) {
            System.setProperty("jdk.pollerMode", "1");
        }
    }

    static CommandLine newCommandLine() {
        return new CommandLine(new MxguardCommand());
    }
}
