package org.mxguard.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code mxguard policy}: test, import and export access rules. */
@Command(name = "policy", mixinStandardHelpOptions = true,
        description = "Check which rule decides a connection, import sendmail/Postfix access tables, export rules.",
        subcommands = {PolicyCheckCommand.class, PolicyImportCommand.class, PolicyExportCommand.class,
            PolicyReloadCommand.class, PolicyStatsCommand.class})
final class PolicyCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
