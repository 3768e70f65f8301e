package org.mxguard.mail;

import java.util.regex.Pattern;

/**
 * A spool message's identifier. Ids are made by the spool, sort by arrival time as strings, and
 * are safe in file names and log lines: upper-case letters and digits only, 12 to 24 characters.
 *
 * @param value the id
 */
public record QueueId(String value) implements Comparable<QueueId> {

    private static final Pattern FORM = Pattern.compile("[0-9A-Z]{12,24}");

    public QueueId {
        if (value == null || !FORM.matcher(value).matches()) {
            throw new IllegalArgumentException("not a queue id: " + value);
        }
    }

    public static boolean isValid(String text) {
        return text != null && FORM.matcher(text).matches();
    }

    @Override
    public int compareTo(QueueId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
