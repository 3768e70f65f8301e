package org.mxguard.spool;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The "key value" lines of a parsed {@link HeaderText}, looked up by key with the checks a reader needs. */
final class HeaderFields {

    record Field(String key, String value) {
    }

    private final List<Field> fields;

    HeaderFields(List<Field> fields) {
        this.fields = List.copyOf(fields);
    }

    /** Rejects keys this version does not define: a typo or damage must not pass as a default. */
    void requireOnly(Set<String> known) throws SpoolFormatException {
        for (Field field : fields) {
            if (!known.contains(field.key())) {
                throw new SpoolFormatException("unknown header field \"" + field.key() + "\"");
            }
        }
    }

    /** The raw (escaped) value of a field that must appear exactly once. */
    String one(String key) throws SpoolFormatException {
        String value = optional(key);
        if (value == null) {
            throw new SpoolFormatException("header field \"" + key + "\" is missing");
        }
        return value;
    }

    /** The raw value of a field that appears at most once, or null. */
    String optional(String key) throws SpoolFormatException {
        String found = null;
        for (Field field : fields) {
            if (field.key().equals(key)) {
                if (found != null) {
                    throw new SpoolFormatException("header field \"" + key + "\" appears twice");
                }
                found = field.value();
            }
        }
        return found;
    }

    /** The raw values of a repeatable field, in file order. */
    List<String> all(String key) {
        List<String> values = new ArrayList<>();
        for (Field field : fields) {
            if (field.key().equals(key)) {
                values.add(field.value());
            }
        }
        return values;
    }

    boolean bool(String key) throws SpoolFormatException {
        String value = one(key);
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new SpoolFormatException("header field \"" + key + "\" is not true/false: " + value);
        };
    }

    long number(String key, long min) throws SpoolFormatException {
        String value = one(key);
        if (!value.matches("[0-9]{1,20}")) {
            throw new SpoolFormatException("header field \"" + key + "\" is not a number: " + value);
        }
        try {
            long n = Long.parseLong(value);
            if (n < min) {
                throw new SpoolFormatException("header field \"" + key + "\" is below " + min + ": " + value);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new SpoolFormatException("header field \"" + key + "\" is out of range: " + value);
        }
    }
}
