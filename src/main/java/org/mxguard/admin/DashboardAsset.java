package org.mxguard.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * One file of the dashboard: a static page, its script and style, shipped in the jar (no build
 * step, nothing fetched from elsewhere at view time).
 *
 * @param type the Content-Type
 * @param text the file's content
 */
record DashboardAsset(String type, String text) {

    /** Only this origin's own files and API; no inline script, no framing by another site. */
    static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
            + "img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private static final Map<String, DashboardAsset> FILES = Map.of(
            "/", load("dashboard.html", "text/html; charset=utf-8"),
            "/dashboard.js", load("dashboard.js", "text/javascript; charset=utf-8"),
            "/dashboard.css", load("dashboard.css", "text/css; charset=utf-8"));

    static Optional<DashboardAsset> at(String path) {
        return Optional.ofNullable(FILES.get(path));
    }

    private static DashboardAsset load(String name, String type) {
        try (InputStream in = DashboardAsset.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks the dashboard's " + name);
            }
            return new DashboardAsset(type, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
