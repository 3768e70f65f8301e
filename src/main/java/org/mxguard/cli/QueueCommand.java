package org.mxguard.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.mxguard.config.ConfigException;
import org.mxguard.config.ConfigLoader;
import org.mxguard.control.ControlClient;
import org.mxguard.control.ControlResponse;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mxguard queue}: the running server's queue, in the Postfix tradition (mailq, postqueue -f,
 * postsuper -h/-H/-d). Talks to the server through its control socket.
 */
@Command(name = "queue", mixinStandardHelpOptions = true,
        description = "Show and manage the queue of a running server.",
        subcommands = {QueueCommand.ListCommand.class, QueueCommand.ShowCommand.class, QueueCommand.FlushCommand.class,
            QueueCommand.HoldCommand.class, QueueCommand.ReleaseCommand.class, QueueCommand.DeleteCommand.class})
final class QueueCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /** Where the server is: its configuration file (which names the socket) or the socket itself. */
    static final class Target {
        @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "The server's configuration file.")
        Path config;

        @Option(names = "--socket", paramLabel = "PATH", description = "The server's control socket.")
        Path socket;

        Path socket() throws ConfigException {
            return socket != null ? socket : ConfigLoader.load(config).controlSocket();
        }
    }

    /** Sends one control command and prints the answer; exit 1 on any error. */
    abstract static class Remote implements Callable<Integer> {
        @ArgGroup(exclusive = true, multiplicity = "1")
        Target target;

        abstract List<String> words();

        void print(ControlResponse response) {
            response.lines().forEach(System.out::println);
        }

        @Override
        public Integer call() {
            try {
                ControlResponse response = ControlClient.send(target.socket(), words());
                if (!response.ok()) {
                    System.err.println("mxguard: " + response.error());
                    return 1;
                }
                print(response);
                return 0;
            } catch (ConfigException e) {
                e.problems().forEach(System.err::println);
                return 1;
            } catch (IOException e) {
                System.err.println("mxguard: " + e.getMessage());
                return 1;
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List queued messages, like mailq: id, arrival, size, sender, recipients, last error.")
    static final class ListCommand extends Remote {
        @Option(names = "--count", description = "Print only the number of queued messages.")
        boolean count;

        @Override
        List<String> words() {
            return List.of(count ? "queue-count" : "queue-list");
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one message's envelope and state.")
    static final class ShowCommand extends Remote {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        List<String> words() {
            return List.of("queue-show", id);
        }
    }

    @Command(name = "flush", mixinStandardHelpOptions = true,
            description = "Retry deferred mail now: all of it, or only for the given domain.")
    static final class FlushCommand extends Remote {
        @Parameters(paramLabel = "DOMAIN", arity = "0..1")
        String domain;

        @Override
        List<String> words() {
            List<String> words = new ArrayList<>(List.of("flush"));
            if (domain != null) {
                words.add(domain);
            }
            return words;
        }
    }

    @Command(name = "hold", mixinStandardHelpOptions = true, description = "Hold a message: no delivery until released.")
    static final class HoldCommand extends Remote {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        List<String> words() {
            return List.of("hold", id);
        }
    }

    @Command(name = "release", mixinStandardHelpOptions = true, description = "Release a held message.")
    static final class ReleaseCommand extends Remote {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        List<String> words() {
            return List.of("release", id);
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Delete a message from the queue without a bounce.")
    static final class DeleteCommand extends Remote {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        List<String> words() {
            return List.of("delete", id);
        }
    }
}
