package org.mxguard.smtp;

import java.util.ArrayList;
import java.util.List;

/** The per-command tally of one session, in Postfix's command-table order. */
final class CommandCounts {

    private static final List<String> ORDER = List.of("helo", "ehlo", "starttls", "mail", "rcpt", "data", "rset",
            "noop", "vrfy", "etrn", "help", "quit", "unknown");

    private final int[] succeeded = new int[ORDER.size()];
    private final int[] total = new int[ORDER.size()];

    void record(String name, boolean success) {
        int index = ORDER.indexOf(name);
        if (index < 0) {
            index = ORDER.size() - 1;
        }
        total[index]++;
        if (success) {
            succeeded[index]++;
        }
    }

    /** The commands used, and last the "commands" sum, as Postfix logs them. */
    List<CommandCount> snapshot() {
        List<CommandCount> counts = new ArrayList<>();
        int sumSucceeded = 0;
        int sumTotal = 0;
        for (int i = 0; i < ORDER.size(); i++) {
            if (total[i] > 0) {
                counts.add(new CommandCount(ORDER.get(i), succeeded[i], total[i]));
                sumSucceeded += succeeded[i];
                sumTotal += total[i];
            }
        }
        counts.add(new CommandCount("commands", sumSucceeded, sumTotal));
        return counts;
    }
}
