package org.mxguard.cli;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import org.mxguard.config.ConfigException;
import org.mxguard.control.ControlClient;
import org.mxguard.control.ControlResponse;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;

/** {@code mxguard policy reload}: makes a running server read its rules file again (as SIGHUP does). */
@Command(name = "reload", mixinStandardHelpOptions = true,
        description = "Make a running server read its rules file again; a file with errors leaves the old rules.")
final class PolicyReloadCommand implements Callable<Integer> {

    @ArgGroup(exclusive = true, multiplicity = "1")
    QueueCommand.Target target;

    @Override
    public Integer call() {
        try {
            ControlResponse response = ControlClient.send(target.socket(), List.of("policy-reload"));
            if (!response.ok()) {
                System.err.println("mxguard: " + response.error());
                return 1;
            }
            response.lines().forEach(System.out::println);
            return response.lines().stream().anyMatch(line -> line.startsWith("kept")) ? 1 : 0;
        } catch (ConfigException e) {
            e.problems().forEach(System.err::println);
            return 1;
        } catch (IOException e) {
            System.err.println("mxguard: " + e.getMessage());
            return 1;
        }
    }
}
