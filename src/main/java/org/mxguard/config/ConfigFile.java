package org.mxguard.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;

/** Reads a YAML file into a node tree that keeps line numbers, or reports why it cannot. */
final class ConfigFile {

    private ConfigFile() {
    }

    static Section read(Path file, List<String> problems) throws ConfigException {
        String name = file.toString();
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(name + ": no such file");
        } catch (IOException e) {
            throw new ConfigException(name + ": cannot read: " + e.getMessage());
        }
        return parse(name, text, problems);
    }

    static Section parse(String name, String text, List<String> problems) throws ConfigException {
        LoadSettings settings = LoadSettings.builder().setLabel(name).setAllowDuplicateKeys(true)
                .setMaxAliasesForCollections(10).build();
        Optional<Node> node;
        try {
            node = new Compose(settings).composeString(text);
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().map(m -> m.getLine() + 1).orElse(1);
            throw new ConfigException(name + ":" + line + ": not valid YAML: " + e.getProblem());
        } catch (YamlEngineException e) {
            throw new ConfigException(name + ": not valid YAML: " + e.getMessage());
        } catch (NumberFormatException e) {
            // snakeyaml-engine 2.x reads the digits of an x, u or U escape with Integer.parseInt
            // and lets a short or bad one escape as this exception, without a position.
            throw new ConfigException(name + ":" + badEscapeLine(text) + ": not valid YAML: an escape \\x, \\u or "
                    + "\\U in double quotes needs 2, 4 or 8 hexadecimal digits");
        } catch (RuntimeException e) {
            // Any other failure of the library's reader: still the file's problem, never a stack trace.
            throw new ConfigException(name + ": not valid YAML: the YAML reader failed (" + e + ")");
        }
        return Section.root(name, node.orElse(null), problems);
    }

    /** The line of the first escape in {@code text} without its hexadecimal digits (1 if none is found). */
    static int badEscapeLine(String text) {
        int line = 1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                line++;
            } else if (c == '\\' && i + 1 < text.length()) {
                char kind = text.charAt(++i);
                int digits = kind == 'x' ? 2 : kind == 'u' ? 4 : kind == 'U' ? 8 : 0;
                for (int d = 1; d <= digits; d++) {
                    if (i + d >= text.length() || Character.digit(text.charAt(i + d), 16) < 0) {
                        return line;
                    }
                }
                if (kind == '\n') {
                    line++;
                }
            }
        }
        return 1;
    }
}
