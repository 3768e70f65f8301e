package org.mxguard.cli;

import java.util.List;
import org.mxguard.control.ControlResponse;
import picocli.CommandLine.Command;

/** {@code mxguard policy reload}: makes a running server read its rules file again (as SIGHUP does). */
@Command(name = "reload", mixinStandardHelpOptions = true,
        description = "Make a running server read its rules file again; a file with errors leaves the old rules.")
final class PolicyReloadCommand extends RemoteCommand {

    @Override
    List<String> words() {
        return List.of("policy-reload");
    }

    @Override
    int print(ControlResponse response) {
        super.print(response);
        return response.lines().stream().anyMatch(line -> line.startsWith("kept")) ? 1 : 0;
    }
}
