package org.mxguard.cli;

import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import org.mxguard.config.ConfigException;
import org.mxguard.config.ConfigLoader;
import org.mxguard.config.MxguardConfig;
import org.mxguard.policy.FileRuleSource;
import org.mxguard.policy.PolicyParseException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mxguard check-config}: validates the configuration and the rule file it names without
 * starting anything, as {@code postfix check} and {@code smtpd -n} do. Exit 0 when both are usable.
 */
@Command(name = "check-config", mixinStandardHelpOptions = true,
        description = "Check the configuration and the rules file without starting anything.")
final class CheckConfigCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = DefaultConfig.OPTION_DEFAULT,
            description = "The configuration file (default: $MXGUARD_CONFIG, else " + DefaultConfig.INSTALLED + ").")
    Path config;

    @Override
    public Integer call() {
        MxguardConfig loaded;
        try {
            loaded = ConfigLoader.loadForServing(config);
        } catch (ConfigException e) {
            e.problems().forEach(System.err::println);
            System.err.println("mxguard: " + config + ": " + e.problems().size() + " problem(s)");
            return 1;
        }
        if (loaded.policy().rulesFile() != null) {
            try (FileRuleSource rules = FileRuleSource.open(loaded.policy().rulesFile(), loaded.policy(),
                    Clock.systemUTC())) {
                System.out.println(config + ": rules: " + rules.current().size() + " from "
                        + loaded.policy().rulesFile());
            } catch (PolicyParseException e) {
                System.err.println(e.getMessage());
                return 1;
            }
        }
        System.out.println(config + ": ok (protecting " + String.join(", ", loaded.smtp().protectedDomains())
                + "; spool " + loaded.spool().directory() + ")");
        return 0;
    }
}
