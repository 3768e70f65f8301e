package org.mxguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.config.ConfigException;
import org.mxguard.config.ConfigLoader;
import org.mxguard.policy.PolicyParseException;
import org.mxguard.policy.RuleFileReader;
import picocli.CommandLine;

/**
 * The documentation says only what mxguard does: every rule example (a fence marked {@code rules})
 * and configuration example (marked {@code yaml}) in README.md and docs/*.md loads, every command
 * line written out parses, the configuration keys named in the docs are the ones the loader
 * reads, and configuration.md lists every one of them.
 */
class DocumentationTest {

    private static final Pattern FENCE = Pattern.compile("^(\\s*)```(\\S*)\\s*$");
    private static final Pattern ACTION_LINE = Pattern.compile(
            "^(accept|tempfail|reject|disconnect|warn)\\s+(not\\s+)?(client|client-name|helo|from|to|listed-in|dynamic"
                    + "|everything|with|at)\\b.*");
    private static final Pattern DOTTED_KEY = Pattern.compile(
            "`((?:smtp|spool|log|dns|policy|delivery|control)\\.[a-z][a-z0-9.-]*)`");
    private static final Pattern HOST_NAME = Pattern.compile(".*\\.(example|test|org|com|net)$");
    private static final Pattern SNAKE = Pattern.compile("`([a-z]+(?:_[a-z]+)+)`");
    private static final Pattern YAML_LOOKALIKE = Pattern.compile("`([a-z]+[A-Z][A-Za-z]*): [^`]*`");
    private static final Pattern JAVA_ROW = Pattern.compile("^\\| `?([A-Za-z_]+)`? \\| .*");
    private static final Pattern MAPPED = Pattern.compile("`([A-Za-z_]+)` is\\s+`([a-z][a-z0-9.-]*)`");
    private static final Pattern UNMAPPED = Pattern.compile("`([A-Za-z_]+)` has\\s+no\\s+key");

    @TempDir
    Path dir;

    /** A fenced block: where it starts (the fence line), its info string and its lines. */
    private record Block(Path doc, int fenceLine, String info, List<String> lines) {

        String where() {
            return doc + ":" + fenceLine;
        }

        /** The text with blank lines before it, so that errors give the line in the document. */
        String textAtItsLines() {
            return "\n".repeat(fenceLine) + String.join("\n", lines) + "\n";
        }
    }

    private static List<Path> docs() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(Path.of("README.md")));
        try (Stream<Path> files = Files.list(Path.of("docs"))) {
            files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        return docs;
    }

    private static List<Block> blocks(Path doc) throws IOException {
        List<String> lines = Files.readAllLines(doc);
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher open = FENCE.matcher(lines.get(i));
            if (!open.matches()) {
                continue;
            }
            int indent = open.group(1).length();
            List<String> body = new ArrayList<>();
            int j = i + 1;
            while (j < lines.size() && !FENCE.matcher(lines.get(j)).matches()) {
                String line = lines.get(j);
                body.add(line.length() >= indent && line.substring(0, indent).isBlank() ? line.substring(indent) : line);
                j++;
            }
            assertThat(j).as(doc + ":" + (i + 1) + ": unclosed fence").isLessThan(lines.size());
            blocks.add(new Block(doc, i + 1, open.group(2), body));
            i = j;
        }
        return blocks;
    }

    /** Prose: every line outside fenced blocks. */
    private static List<String> prose(Path doc) throws IOException {
        List<String> out = new ArrayList<>();
        boolean inFence = false;
        for (String line : Files.readAllLines(doc)) {
            if (FENCE.matcher(line).matches()) {
                inFence = !inFence;
                out.add("");
            } else {
                out.add(inFence ? "" : line);
            }
        }
        return out;
    }

    @Test
    void everyRuleExampleLoads() throws IOException {
        int loaded = 0;
        List<String> failures = new ArrayList<>();
        for (Path doc : docs()) {
            for (Block b : blocks(doc)) {
                if (b.info().equals("rules")) {
                    try {
                        RuleFileReader.read(withListFiles(doc, b));
                        loaded++;
                    } catch (PolicyParseException e) {
                        failures.add(e.getMessage());
                    }
                } else if (b.info().isEmpty() && b.lines().stream().map(String::strip).anyMatch(
                        l -> ACTION_LINE.matcher(l).matches())) {
                    failures.add(b.where() + ": holds rules; mark the fence ```rules so that this test loads it");
                }
            }
        }
        assertThat(failures).isEmpty();
        assertThat(loaded).as("rule examples found").isGreaterThanOrEqualTo(4);
    }

    /**
     * The block as a rule file named after the document, next to the list files it names
     * ({@code client @ems-networks.list}), each holding one value of the kind its condition takes.
     */
    private Path withListFiles(Path doc, Block b) throws IOException {
        Path file = dir.resolve(doc.getFileName().toString());
        Files.writeString(file, b.textAtItsLines());
        Matcher list = Pattern.compile("(client-name|client|helo|from|to)\\s+@(\\S+)").matcher(b.textAtItsLines());
        while (list.find()) {
            String value = switch (list.group(1)) {
                case "client" -> "198.51.100.0/24";
                case "client-name", "helo" -> ".dialup.isp.example";
                default -> "user@example.org";
            };
            Files.writeString(dir.resolve(list.group(2)), value + "\n");
        }
        return file;
    }

    @Test
    void everyConfigurationExampleLoads() throws IOException {
        int loaded = 0;
        List<String> failures = new ArrayList<>();
        for (Path doc : docs()) {
            for (Block b : blocks(doc)) {
                if (b.info().equals("yaml")) {
                    Path file = dir.resolve(doc.getFileName() + "-" + b.fenceLine() + ".yaml");
                    Files.writeString(file, b.textAtItsLines());
                    try {
                        ConfigLoader.load(file);
                        loaded++;
                    } catch (ConfigException e) {
                        failures.add(b.where() + ": " + e.getMessage());
                    }
                } else if (b.info().isEmpty() && b.lines().stream().anyMatch(l -> l.startsWith("protected-domains:"))) {
                    failures.add(b.where() + ": holds a configuration; mark the fence ```yaml");
                }
            }
        }
        assertThat(failures).isEmpty();
        assertThat(loaded).as("configuration examples found").isGreaterThanOrEqualTo(2);
    }

    @Test
    void everyCommandLineWrittenOutParses() throws IOException {
        List<String> failures = new ArrayList<>();
        int parsed = 0;
        CommandLine root = Main.newCommandLine();
        for (Path doc : docs()) {
            List<String> candidates = new ArrayList<>();
            for (Block b : blocks(doc)) {
                if (b.info().isEmpty() || b.info().equals("sh")) {
                    candidates.addAll(b.lines());
                }
            }
            // In prose, `mxguard serve` names a command; one with options is a command line to try.
            Matcher inline = Pattern.compile("`((?:\\./)?mxguard [^`]* -[^`]+)`").matcher(String.join("\n", prose(doc)));
            while (inline.find()) {
                candidates.add(inline.group(1));
            }
            for (String candidate : candidates) {
                String line = candidate.strip().replaceFirst("^\\$ ", "");
                if (!line.matches("(\\./)?mxguard \\S.*")) {
                    continue;
                }
                if (line.contains("[") || line.contains("\\|") || line.contains("FILE") || line.contains("CONFIG")) {
                    // A synopsis: the options it names must be the command's.
                    failures.addAll(unknownOptions(doc, line));
                    continue;
                }
                List<String> args = words(line);
                args.removeFirst();
                try {
                    root.parseArgs(args.toArray(new String[0]));
                    parsed++;
                } catch (CommandLine.ParameterException e) {
                    failures.add(doc + ": `" + line + "`: " + e.getMessage());
                }
            }
        }
        assertThat(failures).isEmpty();
        assertThat(parsed).as("command lines found").isGreaterThanOrEqualTo(10);
    }

    private static List<String> unknownOptions(Path doc, String line) {
        CommandLine command = Main.newCommandLine();
        for (String word : words(line).subList(1, words(line).size())) {
            // "hold\\|release\\|delete": the first of the alternatives stands for them all.
            CommandLine sub = command.getSubcommands().get(word.split("\\\\\\|")[0]);
            if (sub == null) {
                break;
            }
            command = sub;
        }
        List<String> unknown = new ArrayList<>();
        Matcher option = Pattern.compile("(?<![\\w-])(--?[a-z][a-z-]*)").matcher(line);
        while (option.find()) {
            if (command.getCommandSpec().findOption(option.group(1)) == null) {
                unknown.add(doc + ": `" + line + "`: no option " + option.group(1) + " in "
                        + command.getCommandName());
            }
        }
        return unknown;
    }

    /** Shell words up to a redirection, pipe or comment; single quotes kept together. */
    private static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        Matcher m = Pattern.compile("'([^']*)'|(\\S+)").matcher(line);
        while (m.find()) {
            String word = m.group(1) != null ? m.group(1) : m.group(2);
            if (m.group(1) == null && (word.startsWith(">") || word.equals("|") || word.startsWith("#")
                    || word.equals("<"))) {
                break;
            }
            words.add(word);
        }
        return words;
    }

    /**
     * Every key the loader reads, as {@code section.key}, from what it answers about a key it does
     * not know: the list of keys it does.
     */
    private Set<String> knownKeys() throws IOException {
        Path probe = dir.resolve("probe.yaml");
        Files.writeString(probe, """
                protected-domains: [example.org]
                zz-probe: 1
                smtp: {zz-probe: 1, tls: {zz-probe: 1}}
                spool: {zz-probe: 1}
                log: {zz-probe: 1}
                dns: {zz-probe: 1}
                policy: {zz-probe: 1}
                delivery: {zz-probe: 1, recipients: {zz-probe: 1}}
                control: {zz-probe: 1}
                mx-skip: {zz-probe: 1, blocks: {zz-probe: 1}}
                evidence: {zz-probe: 1}
                primary: {zz-probe: 1, syslog: {zz-probe: 1}, probe: {zz-probe: 1}}
                policy-service: {zz-probe: 1}
                """);
        Set<String> keys = new TreeSet<>();
        Set<String> sections = new TreeSet<>();
        try {
            ConfigLoader.load(probe);
            throw new AssertionError("the probe has unknown keys");
        } catch (ConfigException e) {
            Pattern hint = Pattern.compile(": ([a-z.-]*?)\\.?zz-probe: unknown key \\(known keys: ([^)]*)\\)");
            for (String problem : e.problems()) {
                Matcher m = hint.matcher(problem);
                assertThat(m.find()).as(problem).isTrue();
                String prefix = m.group(1).isEmpty() ? "" : m.group(1) + ".";
                sections.add(m.group(1));
                for (String key : m.group(2).split(", ")) {
                    keys.add(prefix + key);
                }
            }
        }
        keys.removeAll(sections);
        return keys;
    }

    @Test
    void configurationMdListsExactlyTheKeysTheLoaderReads() throws IOException {
        Set<String> known = knownKeys();
        Set<String> documented = new TreeSet<>();
        String prefix = null;
        for (String line : Files.readAllLines(Path.of("docs/configuration.md"))) {
            if (line.startsWith("## ")) {
                Matcher section = Pattern.compile("^## `([a-z-]+)`").matcher(line);
                prefix = line.startsWith("## Top level") ? "" : section.find() ? section.group(1) + "." : null;
            } else if (prefix != null && line.startsWith("| `")) {
                String firstCell = line.substring(1, line.indexOf('|', 1));
                Matcher key = Pattern.compile("`([a-z][a-z0-9.-]*)`").matcher(firstCell);
                while (key.find()) {
                    documented.add(prefix + key.group(1));
                }
            }
        }
        assertThat(documented).as("documented in configuration.md but not read by the loader")
                .isSubsetOf(known);
        assertThat(known).as("read by the loader but missing from configuration.md").isSubsetOf(documented);
    }

    @Test
    void keysNamedAnywhereInTheDocsAreTheLoadersKeys() throws IOException {
        Set<String> known = knownKeys();
        Set<String> lastParts = new TreeSet<>();
        known.forEach(k -> lastParts.add(k.substring(k.lastIndexOf('.') + 1)));
        List<String> failures = new ArrayList<>();
        for (Path doc : docs()) {
            List<String> prose = prose(doc);
            String text = String.join("\n", prose);
            Set<String> mapped = new TreeSet<>();
            Matcher mapping = MAPPED.matcher(text);
            while (mapping.find()) {
                mapped.add(mapping.group(1));
                if (!known.contains(mapping.group(2))) {
                    failures.add(doc + ": `" + mapping.group(1) + "` is said to be `" + mapping.group(2)
                            + "`, which the loader does not read");
                }
            }
            Matcher none = UNMAPPED.matcher(text);
            while (none.find()) {
                mapped.add(none.group(1));
            }
            for (int i = 0; i < prose.size(); i++) {
                String line = prose.get(i);
                String where = doc + ":" + (i + 1);
                Matcher dotted = DOTTED_KEY.matcher(line);
                while (dotted.find()) {
                    String key = dotted.group(1);
                    if (!known.contains(key) && known.stream().noneMatch(k -> k.startsWith(key + "."))
                            && !HOST_NAME.matcher(key).matches()) {
                        failures.add(where + ": `" + key + "` is not a configuration key");
                    }
                }
                Matcher lookalike = YAML_LOOKALIKE.matcher(line);
                while (lookalike.find()) {
                    failures.add(where + ": `" + lookalike.group() + "` looks like configuration but the key is "
                            + kebab(lookalike.group(1)));
                }
                Matcher snake = SNAKE.matcher(line);
                while (snake.find() && !line.startsWith("|")) {
                    // Postfix's parameters are snake_case too: a sentence about Postfix may name them.
                    String before = (i > 0 ? prose.get(i - 1) : "") + " " + line.substring(0, snake.start());
                    String sentence = before.substring(before.lastIndexOf(". ") + 1);
                    boolean otherMta = sentence.contains("Postfix") || sentence.contains("sendmail");
                    if (lastParts.contains(kebab(snake.group(1))) && !otherMta && !mapped.contains(snake.group(1))) {
                        failures.add(where + ": `" + snake.group(1) + "` is written as the configuration key, "
                                + known.stream().filter(k -> k.endsWith(kebab(snake.group(1)))).toList());
                    }
                }
                Matcher row = JAVA_ROW.matcher(line);
                if (row.matches() && !line.startsWith("| key ") && !line.startsWith("| name ")
                        && Set.of("smtp.md", "delivery.md", "policy.md").contains(doc.getFileName().toString())
                        && isSettingsTable(prose, i)) {
                    String name = row.group(1);
                    if (!mapped.contains(name) && !lastParts.contains(kebab(name))) {
                        failures.add(where + ": setting `" + name + "` is no configuration key; say which it is "
                                + "(\"`" + name + "` is `section.key`\") or that it has none (\"`" + name
                                + "` has no key\")");
                    }
                }
            }
        }
        assertThat(failures).isEmpty();
    }

    /** A row of a table headed {@code | name | type | default | meaning |}: a settings record. */
    private static boolean isSettingsTable(List<String> prose, int row) {
        for (int i = row; i >= 0 && prose.get(i).startsWith("|"); i--) {
            if (prose.get(i).startsWith("| name | type | default |")) {
                return true;
            }
        }
        return false;
    }

    private static String kebab(String name) {
        return name.replaceAll("([a-z0-9])([A-Z])", "$1-$2").replace('_', '-').toLowerCase(Locale.ROOT);
    }
}
