package org.mxguard.control;

import java.util.List;

/**
 * The answer to one control command.
 *
 * @param ok whether the command succeeded
 * @param error the error message when not ok
 * @param lines the body
 */
public record ControlResponse(boolean ok, String error, List<String> lines) {

    public ControlResponse {
        lines = List.copyOf(lines);
    }

    public static ControlResponse ok(List<String> lines) {
        return new ControlResponse(true, null, lines);
    }

    public static ControlResponse error(String message) {
        return new ControlResponse(false, message, List.of());
    }

    String render() {
        StringBuilder out = new StringBuilder(ok ? "ok\n" : "error " + error.replace('\n', ' ') + "\n");
        for (String line : lines) {
            out.append(line.startsWith(".") ? "." : "").append(line.replace('\n', ' ')).append('\n');
        }
        return out.append(".\n").toString();
    }
}
