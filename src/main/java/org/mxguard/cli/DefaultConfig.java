package org.mxguard.cli;

import java.nio.file.Path;

/**
 * The configuration file a command reads when it is given none: {@code $MXGUARD_CONFIG}, else the
 * installed package's {@code /etc/mxguard/mxguard.yaml}, so that on a server {@code mxguard queue list}
 * works as {@code mailq} does, without naming the file.
 */
final class DefaultConfig {

    static final String INSTALLED = "/etc/mxguard/mxguard.yaml";

    /** For picocli's {@code defaultValue}: the same choice, written as picocli interpolates it. */
    static final String OPTION_DEFAULT = "${env:MXGUARD_CONFIG:-" + INSTALLED + "}";

    private DefaultConfig() {
    }

    static Path path() {
        String fromEnvironment = System.getenv("MXGUARD_CONFIG");
        return Path.of(fromEnvironment == null || fromEnvironment.isBlank() ? INSTALLED : fromEnvironment);
    }
}
