package org.mxguard.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The root command; each job is a subcommand, in the Postfix tradition of one tool per verb. */
@Command(name = "mxguard", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "A backup-MX mail relay that refuses relaying from sources that skip the primary MX.",
        subcommands = {ServeCommand.class, CheckConfigCommand.class, QueueCommand.class, PolicyCommand.class,
            AnalyzeCommand.class, BlockCommand.class, DemoCommand.class, VersionCommand.class})
final class MxguardCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
