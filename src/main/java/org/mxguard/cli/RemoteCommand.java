package org.mxguard.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.mxguard.config.ConfigException;
import org.mxguard.config.ConfigLoader;
import org.mxguard.control.ControlClient;
import org.mxguard.control.ControlResponse;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** A command that sends one control command to a running server and prints the answer; exit 1 on any error. */
abstract class RemoteCommand implements Callable<Integer> {

    /**
     * Where the server is: its configuration file (which names the socket) or the socket itself;
     * neither given, the {@link DefaultConfig}.
     */
    static final class Target {
        @Option(names = {"-c", "--config"}, paramLabel = "FILE",
                description = "The server's configuration file (default: $MXGUARD_CONFIG, else " + DefaultConfig.INSTALLED + ").")
        Path config;

        @Option(names = "--socket", paramLabel = "PATH", description = "The server's control socket.")
        Path socket;

        Path socket() throws ConfigException {
            return socket != null ? socket : ConfigLoader.load(config).controlSocket();
        }

        /** The socket of the given target, or of the default configuration's server. */
        static Path socketOf(Target target) throws ConfigException {
            return target != null ? target.socket() : ConfigLoader.load(DefaultConfig.path()).controlSocket();
        }
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Target target;

    abstract List<String> words();

    /** The exit status for a successful answer; 0 unless the answer itself reports a failure. */
    int print(ControlResponse response) {
        response.lines().forEach(System.out::println);
        return 0;
    }

    @Override
    public Integer call() {
        try {
            ControlResponse response = ControlClient.send(Target.socketOf(target), words());
            if (!response.ok()) {
                System.err.println("mxguard: " + response.error());
                return 1;
            }
            return print(response);
        } catch (ConfigException e) {
            e.problems().forEach(System.err::println);
            return 1;
        } catch (IOException e) {
            System.err.println("mxguard: " + e.getMessage());
            return 1;
        }
    }
}
