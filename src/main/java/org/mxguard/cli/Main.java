package org.mxguard.cli;

import picocli.CommandLine;

/** Entry point of the {@code mxguard} command. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        usePlatformPollers();
        System.exit(newCommandLine().execute(args));
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
