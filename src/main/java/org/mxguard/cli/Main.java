package org.mxguard.cli;

import picocli.CommandLine;

/** Entry point of the {@code mxguard} command. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(newCommandLine().execute(args));
    }

    static CommandLine newCommandLine() {
        return new CommandLine(new MxguardCommand());
    }
}
