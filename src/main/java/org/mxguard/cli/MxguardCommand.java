package org.mxguard.cli;

import picocli.CommandLine.Command;

/** The root command; each job is a subcommand, in the Postfix tradition of one tool per verb. */
@Command(name = "mxguard", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "A backup-MX mail relay that refuses relaying from sources that skip the primary MX.",
        subcommands = {VersionCommand.class})
final class MxguardCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }
}
