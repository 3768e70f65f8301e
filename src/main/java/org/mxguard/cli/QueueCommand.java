package org.mxguard.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mxguard queue}: the running server's queue, in the Postfix tradition (mailq, postqueue -f,
 * postsuper -h/-H/-d). Talks to the server through its control socket.
 */
@Command(name = "queue", mixinStandardHelpOptions = true,
        description = "Show and manage the queue of a running server.",
        subcommands = {QueueCommand.ListCommand.class, QueueCommand.ShowCommand.class, QueueCommand.FlushCommand.class,
            QueueCommand.HoldCommand.class, QueueCommand.ReleaseCommand.class, QueueCommand.DeleteCommand.class})
final class QueueCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** A command on one queued message, named by its id. */
    abstract static class IdCommand extends RemoteCommand {
        private final String verb;

        @Parameters(paramLabel = "ID")
        String id;

        IdCommand(String verb) {
            this.verb = verb;
        }

        @Override
        List<String> words() {
            return List.of(verb, id);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List queued messages, like mailq: id, arrival, size, sender, recipients, last error.")
    static final class ListCommand extends RemoteCommand {
        @Option(names = "--count", description = "Print only the number of queued messages.")
        boolean count;

        @Override
        List<String> words() {
            return List.of(count ? "queue-count" : "queue-list");
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one message's envelope and state.")
    static final class ShowCommand extends IdCommand {
        ShowCommand() {
            super("queue-show");
        }
    }

    @Command(name = "flush", mixinStandardHelpOptions = true,
            description = "Retry deferred mail now: all of it, or only for the given domain.")
    static final class FlushCommand extends RemoteCommand {
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
    static final class HoldCommand extends IdCommand {
        HoldCommand() {
            super("hold");
        }
    }

    @Command(name = "release", mixinStandardHelpOptions = true, description = "Release a held message.")
    static final class ReleaseCommand extends IdCommand {
        ReleaseCommand() {
            super("release");
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Delete a message from the queue without a bounce.")
    static final class DeleteCommand extends IdCommand {
        DeleteCommand() {
            super("delete");
        }
    }
}
