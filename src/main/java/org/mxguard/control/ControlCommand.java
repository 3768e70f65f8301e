package org.mxguard.control;

import java.io.IOException;
import java.util.List;

/** The handler of one control verb. */
@FunctionalInterface
public interface ControlCommand {

    /**
     * Runs the command with its arguments.
     *
     * @throws IllegalArgumentException for bad arguments (reported to the client as an error)
     */
    ControlResponse run(List<String> arguments) throws IOException;
}
