package org.mxguard.peer;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Debian programs the tests start as peers (dnsmasq, smtp-sink, swaks...). A test asks for its
 * peer here before it runs it: a missing peer fails the test with what to install, instead of a bare
 * "Cannot run program" or a silent skip. The packages are the ones scripts/packages.sh installs.
 */
public final class Peer {

    /** Program to the Debian package that brings it; every package is in scripts/packages.sh. */
    static final Map<String, String> PACKAGES = Map.ofEntries(
            Map.entry("dnsmasq", "dnsmasq-base"),
            Map.entry("smtp-sink", "postfix"),
            Map.entry("smtp-source", "postfix"),
            Map.entry("postfix", "postfix"),
            Map.entry("postconf", "postfix"),
            Map.entry("swaks", "swaks"),
            Map.entry("nmap", "nmap"),
            Map.entry("pflogsumm", "pflogsumm"),
            Map.entry("fail2ban-regex", "fail2ban"),
            Map.entry("python3", "python3"),
            Map.entry("redis-server", "redis-server"),
            Map.entry("postgrey", "postgrey"),
            Map.entry("openssl", "openssl"),
            Map.entry("promtool", "prometheus"),
            Map.entry("chromium", "chromium"),
            Map.entry("chromedriver", "chromium-driver"),
            Map.entry("dpkg-deb", "dpkg"),
            Map.entry("dpkg-shlibdeps", "dpkg-dev"),
            Map.entry("lintian", "lintian"),
            Map.entry("logrotate", "logrotate"),
            Map.entry("systemd-analyze", "systemd"),
            Map.entry("chroot", "coreutils"),
            Map.entry("setpriv", "util-linux"));

    /** Where Debian installs daemons' tools; not on every user's PATH. */
    private static final List<Path> SBIN = List.of(Path.of("/usr/sbin"), Path.of("/sbin"));

    private Peer() {
    }

    /**
     * The program's absolute path, to hand to a {@link ProcessBuilder}.
     *
     * @throws AssertionError saying how to install the program when it is missing
     */
    public static String require(String program) {
        return find(program, searchPath());
    }

    /**
     * Fails unless {@code perl -M<module>} loads: for peers that are Perl modules (swaks' TLS).
     *
     * @throws AssertionError saying which package to install
     */
    public static void requirePerlModule(String module, String debianPackage) {
        String perl = find("perl", searchPath(), "perl-base");
        try {
            Process check = new ProcessBuilder(perl, "-M" + module, "-e", "1").redirectErrorStream(true).start();
            check.getInputStream().readAllBytes();
            if (check.waitFor(30, TimeUnit.SECONDS) && check.exitValue() == 0) {
                return;
            }
        } catch (IOException e) {
            // reported below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new AssertionError(missing("the Perl module " + module, debianPackage));
    }

    static String find(String program, List<Path> directories) {
        String debianPackage = PACKAGES.get(program);
        if (debianPackage == null) {
            throw new IllegalArgumentException("unknown peer " + program
                    + ": add it and its Debian package to Peer.PACKAGES and to scripts/packages.sh");
        }
        return find(program, directories, debianPackage);
    }

    private static String find(String program, List<Path> directories, String debianPackage) {
        for (Path dir : directories) {
            Path candidate = dir.resolve(program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new AssertionError(missing(program + " not found in " + directories, debianPackage));
    }

    static String missing(String what, String debianPackage) {
        return what + ": run scripts/test, which installs the tests' peers, or apt-get install " + debianPackage
                + " (to leave out the peer tests: mvn test -Dsurefire.excludedGroups=peer)";
    }

    private static List<Path> searchPath() {
        List<Path> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    dirs.add(Path.of(dir));
                }
            }
        }
        SBIN.stream().filter(d -> !dirs.contains(d)).forEach(dirs::add);
        return dirs;
    }
}
