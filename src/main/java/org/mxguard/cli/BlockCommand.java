package org.mxguard.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.mxguard.config.ConfigException;
import org.mxguard.control.ControlClient;
import org.mxguard.control.ControlResponse;
import org.mxguard.policy.PolicyParseException;
import org.mxguard.policy.Rule;
import org.mxguard.policy.RuleFileReader;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mxguard block}: the running server's blocks, automatic and manual. */
@Command(name = "block", mixinStandardHelpOptions = true,
        description = "List, add, remove, explain and import the blocks of a running server.",
        subcommands = {BlockCommand.ListBlocks.class, BlockCommand.Add.class, BlockCommand.Remove.class,
            BlockCommand.Explain.class, BlockCommand.Import.class})
final class BlockCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "The blocks in force: target, origin, expiry, host that made it, evidence; and the MX-skip counts.")
    static final class ListBlocks extends RemoteCommand {
        @Override
        List<String> words() {
            return List.of("block-list");
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Block a network or an rDNS subdomain (.pool.isp.example) with 451 4.7.1.")
    static final class Add extends RemoteCommand {
        @Parameters(index = "0", paramLabel = "NETWORK|.SUBDOMAIN")
        String target;

        @Parameters(index = "1..*", paramLabel = "[DURATION|never] [REASON]",
                description = "How long (30m, 12h, 7d, 2w, never; default: the automatic block expiry), then why.")
        List<String> rest = new ArrayList<>();

        @Override
        List<String> words() {
            List<String> w = new ArrayList<>(List.of("block-add", target));
            w.addAll(rest);
            return w;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Lift the block on a network or subdomain.")
    static final class Remove extends RemoteCommand {
        @Parameters(index = "0", paramLabel = "NETWORK|.SUBDOMAIN")
        String target;

        @Override
        List<String> words() {
            return List.of("block-remove", target);
        }
    }

    @Command(name = "explain", mixinStandardHelpOptions = true,
            description = "Why a block exists, or what the server knows about a client address.")
    static final class Explain extends RemoteCommand {
        @Parameters(index = "0", paramLabel = "NETWORK|.SUBDOMAIN|ADDRESS")
        String target;

        @Override
        List<String> words() {
            return List.of("block-explain", target);
        }
    }

    /** Loads the analyzer's {@code --emit-rules} proposals (mxguard rule format) as blocks. */
    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Load the rules `mxguard analyze --emit-rules` proposed as blocks of the running server.")
    static final class Import implements java.util.concurrent.Callable<Integer> {
        @ArgGroup(exclusive = true, multiplicity = "0..1")
        RemoteCommand.Target target;

        @Parameters(index = "0", paramLabel = "FILE", description = "The proposed rules (mxguard format).")
        Path file;

        @Override
        public Integer call() {
            List<Rule> rules;
            try {
                rules = RuleFileReader.read(file);
            } catch (PolicyParseException e) {
                System.err.println(e.getMessage());
                return 1;
            }
            try {
                Path socket = RemoteCommand.Target.socketOf(target);
                int failed = 0;
                for (Rule rule : rules) {
                    ControlResponse r = ControlClient.send(socket, List.of("block-import", rule.render()));
                    if (r.ok()) {
                        r.lines().forEach(System.out::println);
                    } else {
                        System.err.println("mxguard: " + rule.ref() + ": " + r.error());
                        failed++;
                    }
                }
                System.out.println("imported " + (rules.size() - failed) + " of " + rules.size() + " rules from " + file);
                return failed == 0 ? 0 : 1;
            } catch (ConfigException e) {
                e.problems().forEach(System.err::println);
                return 1;
            } catch (IOException e) {
                System.err.println("mxguard: " + e.getMessage());
                return 1;
            }
        }
    }
}
