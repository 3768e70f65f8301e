package org.mxguard.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.mxguard.policy.AccessMapImport;
import org.mxguard.policy.ConversionResult;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mxguard policy import}: an existing sendmail or Postfix access table as mxguard rules. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Translate a sendmail access file or a Postfix access/cidr table into rules on stdout; "
                + "entries that cannot be translated are listed on stderr.")
final class PolicyImportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    static final class Source {
        @Option(names = "--sendmail", paramLabel = "FILE", description = "A sendmail access file (makemap source).")
        Path sendmail;

        @Option(names = "--postfix-access", paramLabel = "FILE", description = "A Postfix hash access table.")
        Path postfixAccess;

        @Option(names = "--postfix-cidr", paramLabel = "FILE", description = "A Postfix cidr: table.")
        Path postfixCidr;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--kind", paramLabel = "KIND", defaultValue = "client",
            description = "For --postfix-access: client, sender or recipient (default: ${DEFAULT-VALUE}).")
    String kind;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path file = source.sendmail != null ? source.sendmail
                : source.postfixAccess != null ? source.postfixAccess : source.postfixCidr;
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            err.println("mxguard policy import: cannot read " + file + ": " + e);
            return 66;
        }
        String name = file.toString();
        ConversionResult r;
        if (source.sendmail != null) {
            r = AccessMapImport.sendmail(name, lines);
        } else if (source.postfixCidr != null) {
            r = AccessMapImport.postfixCidr(name, lines);
        } else {
            AccessMapImport.Kind k;
            try {
                k = AccessMapImport.Kind.valueOf(kind.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                err.println("mxguard policy import: --kind takes client, sender or recipient: " + kind);
                return 64;
            }
            r = AccessMapImport.postfixAccess(name, lines, k);
        }
        out.println("# imported from " + name + " by mxguard policy import; first match wins,");
        out.println("# so entries are in most-specific-first order as the original table answers.");
        r.lines().forEach(out::println);
        for (String n : r.notes()) {
            err.println("approximated: " + n);
        }
        for (String u : r.untranslatable()) {
            err.println("not translated: " + u);
        }
        err.println(r.lines().size() + " rules written, " + r.untranslatable().size() + " entries not translated, "
                + r.notes().size() + " approximated");
        return 0;
    }
}
