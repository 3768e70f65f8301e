package org.mxguard.loganalysis;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Expands command-line arguments into logs in reading order: {@code -} is standard input, a glob
 * the shell did not expand is expanded here, and a rotated set is read oldest first
 * ({@code mail.log.3.gz, mail.log.2.gz, mail.log.1, mail.log}), so time runs forward.
 */
public final class LogInputs {

    private static final Pattern ROTATED = Pattern.compile("^(.*?)(?:[.-](\\d+))?(\\.gz)?$");

    private LogInputs() {
    }

    public static List<LogSource> expand(List<String> args) throws IOException {
        Set<Path> files = new LinkedHashSet<>();
        List<LogSource> out = new ArrayList<>();
        for (String arg : args) {
            if (arg.equals("-")) {
                out.add(LogSource.stdin());
                continue;
            }
            Path p = Path.of(arg);
            if (Files.exists(p)) {
                files.add(p);
            } else if (arg.contains("*") || arg.contains("?") || arg.contains("[")) {
                List<Path> matched = glob(p);
                if (matched.isEmpty()) {
                    throw new IOException(arg + ": no file matches");
                }
                files.addAll(matched);
            } else {
                throw new IOException(arg + ": no such file");
            }
        }
        List<Path> sorted = new ArrayList<>(files);
        sorted.sort(LogInputs::inReadingOrder);
        for (Path p : sorted) {
            out.add(LogSource.of(p));
        }
        return out;
    }

    private static List<Path> glob(Path pattern) throws IOException {
        Path dir = pattern.getParent() == null ? Path.of(".") : pattern.getParent();
        List<Path> matched = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, pattern.getFileName().toString())) {
            for (Path p : stream) {
                if (Files.isRegularFile(p)) {
                    matched.add(pattern.getParent() == null ? p.getFileName() : p);
                }
            }
        }
        return matched;
    }

    /**
     * By name, and within a rotated set the oldest first. A method rather than a chain of
     * Comparator combinators: those are lambdas of the JDK's own, made at run time at every start.
     */
    private static int inReadingOrder(Path a, Path b) {
        int c = base(a).compareTo(base(b));
        return c != 0 ? c : Integer.compare(generation(b), generation(a));
    }

    static String base(Path p) {
        Matcher m = ROTATED.matcher(p.toString());
        return m.matches() ? m.group(1) : p.toString();
    }

    /** 0 for the live file, n for {@code .n} or {@code .n.gz}: higher is older. */
    static int generation(Path p) {
        Matcher m = ROTATED.matcher(p.toString());
        if (m.matches() && m.group(2) != null && m.group(2).length() < 9) {
            int n = Integer.parseInt(m.group(2));
            // logrotate's dateext (mail.log-20261126): an earlier date is an older file.
            return m.group(2).length() == 8 ? Integer.MAX_VALUE - n : n;
        }
        return 0;
    }
}
