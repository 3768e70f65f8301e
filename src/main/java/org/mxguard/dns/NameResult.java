package org.mxguard.dns;

import java.util.List;

/** The outcome of a PTR lookup. */
public sealed interface NameResult {

    /** @param names lower case, without the trailing dot */
    record Found(List<String> names) implements NameResult {
        public Found {
            names = List.copyOf(names);
        }
    }

    record NotFound(String reason) implements NameResult {
    }

    record TemporaryFailure(String reason) implements NameResult {
    }
}
