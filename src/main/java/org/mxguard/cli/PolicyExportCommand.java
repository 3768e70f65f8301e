package org.mxguard.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.mxguard.policy.AccessMapExport;
import org.mxguard.policy.ConversionResult;
import org.mxguard.policy.PolicyParseException;
import org.mxguard.policy.Rule;
import org.mxguard.policy.RuleFileReader;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mxguard policy export}: rules as a sendmail access file or a Postfix cidr: table. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write the rules as a sendmail access file or a Postfix cidr: table on stdout; "
                + "rules without an equivalent are listed on stderr.")
final class PolicyExportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--rules", required = true, paramLabel = "FILE", description = "The rule file.")
    Path rules;

    static final class Format {
        @Option(names = "--sendmail", description = "sendmail access file (for makemap hash access).")
        boolean sendmail;

        @Option(names = "--postfix-cidr", description = "Postfix cidr: table (for check_client_access cidr:FILE).")
        boolean postfixCidr;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Format format;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Rule> parsed;
        try {
            parsed = RuleFileReader.read(rules);
        } catch (PolicyParseException e) {
            err.println(e.getMessage());
            return 2;
        }
        ConversionResult r = format.sendmail ? AccessMapExport.sendmail(parsed) : AccessMapExport.postfixCidr(parsed);
        out.println("# exported from " + rules + " by mxguard policy export");
        r.lines().forEach(out::println);
        for (String n : r.notes()) {
            err.println("approximated: " + n);
        }
        for (String u : r.untranslatable()) {
            err.println("not translated: " + u);
        }
        return 0;
    }
}
