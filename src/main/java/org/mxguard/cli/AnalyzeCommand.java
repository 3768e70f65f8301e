package org.mxguard.cli;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.mxguard.loganalysis.Analysis;
import org.mxguard.loganalysis.Analyzer;
import org.mxguard.loganalysis.AnalyzerSettings;
import org.mxguard.loganalysis.LogInputs;
import org.mxguard.loganalysis.LogSource;
import org.mxguard.loganalysis.ProgressBar;
import org.mxguard.loganalysis.ReportFormat;
import org.mxguard.loganalysis.RuleRenderer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mxguard analyze}: reads a backup MX's mail logs and proposes the networks and subdomains
 * whose null-sender mail skipped the primary MX, as the 1998 postmaster did by hand with grep.
 */
@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = "Find where null-sender mail from dial-up style hosts comes from, and propose rules.")
public final class AnalyzeCommand implements Callable<Integer> {

    // Checked in call() rather than required here: --primary-log takes every file after it (a shell
    // glob gives several), so a command with the backup logs last gets them all as the primary's,
    // and picocli's "Missing required parameter" would not say why.
    @Parameters(arity = "0..*", paramLabel = "LOG",
            description = "Backup MX logs (sendmail, Postfix, mxguard): files, globs, .gz, rotated sets, - for stdin.")
    List<String> logs = new ArrayList<>();

    @Option(names = "--primary-log", arity = "1..*", paramLabel = "LOG",
            description = "The primary MX's logs: sources seen there are likely legitimate and never proposed.")
    List<String> primaryLogs = new ArrayList<>();

    @Option(names = "--format", defaultValue = "table", description = "table, json, csv or html (default: table).")
    String format;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the report here, not to stdout.")
    Path output;

    @Option(names = "--emit-rules", paramLabel = "FILE", description = "Write mxguard rules.")
    Path emitRules;

    @Option(names = "--emit-sendmail", paramLabel = "FILE", description = "Write a sendmail access map.")
    Path emitSendmail;

    @Option(names = "--emit-postfix-cidr", paramLabel = "FILE", description = "Write a Postfix cidr: table.")
    Path emitPostfixCidr;

    @Option(names = "--year", description = "Year of the last line of RFC 3164 logs (default: each file's time).")
    Integer year;

    @Option(names = "--zone", description = "Time zone of RFC 3164 timestamps (default: the system's).")
    ZoneId zone;

    @Option(names = "--min-null", defaultValue = "2", description = "Null-sender transactions an offender needs.")
    int minNull;

    @Option(names = "--min-null-share", defaultValue = "0.8", description = "Null-sender share an offender needs.")
    double minNullShare;

    @Option(names = "--threshold", defaultValue = "55", description = "Score (0-100) from which a client offends.")
    int threshold;

    @Option(names = "--min-clients", defaultValue = "2",
            description = "Offenders a network or subdomain rule must cover.")
    int minClients;

    @Option(names = "--expires-days", defaultValue = "30", description = "Days until emitted rules expire.")
    int expiresDays;

    @Option(names = "--top", defaultValue = "20", description = "Sources listed in the reports.")
    int top;

    @Option(names = "--threads", description = "Parsing threads (default: the number of cores).")
    Integer threads;

    @Option(names = "--no-progress", description = "Never draw a progress bar.")
    boolean noProgress;

    Clock clock = Clock.systemDefaultZone();

    /** Runs the command alone (the benchmark does), before or without its place under {@code mxguard}. */
    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new AnalyzeCommand()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        if (logs.isEmpty()) {
            System.err.println("mxguard analyze: no backup MX log given"
                    + (primaryLogs.size() > 1 ? "; --primary-log took every file after it (" + String.join(" ", primaryLogs)
                            + "): give the backup logs first, or end the primary's with --" : ""));
            new CommandLine(new AnalyzeCommand()).setCommandName("mxguard analyze").usage(System.err);
            return 2;
        }
        ReportFormat reportFormat;
        try {
            reportFormat = ReportFormat.valueOf(format.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            System.err.println("mxguard analyze: --format must be table, json, csv or html, not " + format);
            return 2;
        }
        AnalyzerSettings d = AnalyzerSettings.defaults();
        AnalyzerSettings settings;
        List<LogSource> backup;
        List<LogSource> primary;
        try {
            settings = new AnalyzerSettings(minNull, minNullShare, threshold, minClients,
                    Duration.ofDays(expiresDays), top, d.pendingMaxAge(), d.maxPending(),
                    zone == null ? d.zone() : zone, year, threads == null ? d.threads() : threads);
            backup = LogInputs.expand(logs);
            primary = LogInputs.expand(primaryLogs);
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("mxguard analyze: " + e.getMessage());
            return 2;
        }
        long total = 0;
        for (LogSource s : backup) {
            total += s.path() == null ? 0 : Files.size(s.path());
        }
        ProgressBar bar = !noProgress && System.console() != null && total > (64L << 20)
                ? new ProgressBar(System.err, total) : null;
        Analysis analysis = new Analyzer(settings).analyze(backup, primary, bar);
        if (bar != null) {
            bar.finish();
        }
        LocalDate expires = LocalDate.now(clock).plusDays(expiresDays);
        writeRules(emitRules, RuleRenderer.Format.MXGUARD, analysis, expires);
        writeRules(emitSendmail, RuleRenderer.Format.SENDMAIL, analysis, expires);
        writeRules(emitPostfixCidr, RuleRenderer.Format.POSTFIX_CIDR, analysis, expires);
        if (output != null) {
            try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(output, StandardCharsets.UTF_8))) {
                reportFormat.write(analysis, out);
            }
        } else {
            PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
            reportFormat.write(analysis, out);
            out.flush();
        }
        for (String error : analysis.errors()) {
            System.err.println("mxguard analyze: " + error);
        }
        return analysis.errors().isEmpty() ? 0 : 1;
    }

    private static void writeRules(Path file, RuleRenderer.Format format, Analysis analysis, LocalDate expires)
            throws IOException {
        if (file != null) {
            Files.writeString(file, RuleRenderer.render(format, analysis.proposals(), expires), StandardCharsets.UTF_8);
        }
    }
}
