package org.mxguard.cli;

import java.util.List;
import picocli.CommandLine.Command;

/** {@code mxguard policy stats}: how often each rule of a running server has decided. */
@Command(name = "stats", mixinStandardHelpOptions = true,
        description = "Show how often each rule of a running server has decided, most hits first.")
final class PolicyStatsCommand extends RemoteCommand {

    @Override
    List<String> words() {
        return List.of("policy-stats");
    }
}
