package org.mxguard.policy;

import java.util.List;
import java.util.stream.Collectors;

/** A rule file (or a file it includes) has errors; each names file, line and column. */
public final class PolicyParseException extends Exception {

    private final transient List<ParseError> errors;

    public PolicyParseException(List<ParseError> errors) {
        super(errors.stream().map(ParseError::toString).collect(Collectors.joining("\n")));
        this.errors = List.copyOf(errors);
        if (this.errors.isEmpty()) {
            throw new IllegalArgumentException("a parse exception carries at least one error");
        }
    }

    public List<ParseError> errors() {
        return errors;
    }
}
