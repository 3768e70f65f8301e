package org.mxguard.admin;

import com.fasterxml.jackson.jr.ob.JSON;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.mxguard.delivery.QueueAdmin;
import org.mxguard.mail.Domain;
import org.mxguard.mail.QueueId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin listener: the JSON API under {@code /api/} and Prometheus's {@code /metrics}.
 *
 * <p>The JDK's own {@link HttpServer} is enough here: the load is a scrape every few seconds and a
 * few people's browsers, each request a short read of in-memory counters or the spool, so its
 * HTTP/1.1 with keep-alive costs nothing, and with one virtual thread per request a slow client or
 * a slow spool read holds no platform thread. It adds no dependency and no attack surface beyond
 * the JDK's, and binds to loopback by default. What it lacks (HTTP/2, TLS by configuration) a
 * reverse proxy gives the rare deployment that exposes the API beyond the host.
 *
 * <p>The queue actions call {@link QueueAdmin}, the same methods the control socket's commands
 * call, and the rule list comes from {@link RuleHits}, as {@code mxguard policy stats} does: one
 * path for each operation, whichever door it came through.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    /** Request bodies are not used; whatever a client sends is read and dropped up to this size. */
    private static final int MAX_BODY = 64 * 1024;
    /** Nulls are written: "last_hit": null says "never", which a missing key would not. */
    private static final JSON JSON_WRITER = JSON.std.with(JSON.Feature.WRITE_NULL_PROPERTIES);

    private final AdminSettings settings;
    private final Access access;
    private final QueueAdmin queue;
    private final RuleHits rules;
    private final Metrics metrics;
    private final ServerInfo info;
    private final Clock clock;
    private volatile MxSkipView mxSkip;
    private HttpServer server;
    private ExecutorService executor;

    public AdminServer(AdminSettings settings, QueueAdmin queue, RuleHits rules, Metrics metrics, ServerInfo info,
            Clock clock) {
        this.settings = settings;
        this.access = new Access(settings.token(), AdminSettings.loopback(settings.listen()));
        this.queue = queue;
        this.rules = rules;
        this.metrics = metrics;
        this.info = info;
        this.clock = clock;
    }

    /** Adds the blocks and the primaries' health to the API (when the MX-skip rule is on). */
    public void watch(MxSkipView view) {
        this.mxSkip = view;
    }

    public void start() throws IOException {
        server = HttpServer.create(settings.listen(), 64);
        executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("admin-http-", 1).factory());
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        LOG.info("admin API and metrics on http://{}:{}/ ({})", address().getAddress().getHostAddress(),
                address().getPort(), AdminSettings.loopback(settings.listen())
                ? "loopback: reading needs no token" : "token required for every request");
    }

    /** The address bound (the port is the real one when the configuration said 0). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            answer(exchange);
        }
    }

    private void answer(HttpExchange exchange) throws IOException {
        try {
            drain(exchange.getRequestBody());
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            boolean changes = !method.equals("GET") && !method.equals("HEAD");
            Optional<DashboardAsset> asset = changes ? Optional.empty() : DashboardAsset.at(path);
            if (asset.isPresent()) {
                // The page and its script hold no data (the API calls they make carry the token), so a
                // browser can load them on any listener before the user has typed the token.
                exchange.getResponseHeaders().set("Content-Security-Policy", DashboardAsset.POLICY);
                exchange.getResponseHeaders().set("X-Frame-Options", "DENY");
                text(exchange, 200, asset.get().type(), asset.get().text());
                return;
            }
            switch (access.check(exchange.getRequestHeaders().getFirst("Authorization"), changes)) {
                case Access.Verdict.Unauthorized u -> {
                    exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"mxguard\"");
                    json(exchange, 401, JsonViews.message("error", u.why()));
                    return;
                }
                case Access.Verdict.Forbidden f -> {
                    LOG.warn("admin: refused {} {} from {}: {}", method, path, exchange.getRemoteAddress(), f.why());
                    json(exchange, 403, JsonViews.message("error", f.why()));
                    return;
                }
                case Access.Verdict.Allowed a -> {
                    // go on
                }
            }
            route(exchange, method, path);
        } catch (IllegalArgumentException e) {
            json(exchange, 400, JsonViews.message("error", e.getMessage()));
        } catch (IOException | RuntimeException e) {
            LOG.error("admin: {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI().getPath(), e);
            json(exchange, 500, JsonViews.message("error", e.toString()));
        }
    }

    private void route(HttpExchange exchange, String method, String path) throws IOException {
        List<String> parts = List.of(path.replaceAll("^/+|/+$", "").split("/+"));
        String shape = String.join("/", parts);
        if (parts.size() >= 3 && parts.get(0).equals("api") && parts.get(1).equals("queue")
                && !parts.get(2).equals("flush")) {
            if (!QueueId.isValid(parts.get(2))) {
                throw new IllegalArgumentException("not a queue id: " + parts.get(2));
            }
            shape = "api/queue/{id}" + (parts.size() > 3 ? "/" + String.join("/", parts.subList(3, parts.size())) : "");
        }
        String key = method + " " + shape;
        switch (key) {
            case "GET metrics" -> text(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
            case "GET api/status" -> json(exchange, 200, JsonViews.status(info, clock.instant(), queue.list().size(),
                    rules.stats().size()));
            case "GET api/counters" -> json(exchange, 200, metrics.counts());
            case "GET api/rules" -> json(exchange, 200, JsonViews.rules(rules.stats()));
            case "GET api/history" -> {
                // The current minute's queue size as of now, not as of the last sample.
                metrics.sampleQueue();
                json(exchange, 200, JsonViews.history(metrics.history().snapshot()));
            }
            case "GET api/sources" -> json(exchange, 200, JsonViews.sources(metrics.caught(), limit(exchange)));
            case "GET api/queue" -> json(exchange, 200, queue.list().stream().map(JsonViews::entry).toList());
            case "GET api/queue/{id}" -> {
                Optional<QueueAdmin.Shown> shown = queue.show(new QueueId(parts.get(2)));
                if (shown.isEmpty()) {
                    json(exchange, 404, JsonViews.message("error", "no such message: " + parts.get(2)));
                } else {
                    json(exchange, 200, JsonViews.shown(shown.get()));
                }
            }
            case "POST api/queue/flush" -> {
                String domain = query(exchange, "domain");
                if (domain == null) {
                    queue.flushAll();
                    json(exchange, 200, JsonViews.message("result", "flushing the whole queue"));
                } else {
                    queue.flush(Domain.parse(domain));
                    json(exchange, 200, JsonViews.message("result", "flushing mail for " + domain));
                }
            }
            case "POST api/queue/{id}/hold" -> changed(exchange, queue.hold(new QueueId(parts.get(2))), "held");
            case "POST api/queue/{id}/release" -> changed(exchange, queue.release(new QueueId(parts.get(2))),
                    "released");
            case "DELETE api/queue/{id}" -> changed(exchange, queue.delete(new QueueId(parts.get(2))), "deleted");
            case "GET api/blocks", "POST api/blocks", "DELETE api/blocks", "GET api/blocks/explain",
                    "GET api/primaries" -> blocks(exchange, key);
            default -> json(exchange, 404, JsonViews.message("error", "no such resource: " + method + " " + path));
        }
    }

    /**
     * The blocks and primaries, through the block commands the control socket calls too. A target
     * (198.51.100.0/24, .pool.isp.example) holds a slash, so it travels as a query parameter.
     */
    private void blocks(HttpExchange exchange, String key) throws IOException {
        MxSkipView view = mxSkip;
        if (view == null) {
            json(exchange, 404, JsonViews.message("error", "the MX-skip rule is off: no blocks, no primaries"));
            return;
        }
        switch (key) {
            case "GET api/blocks" -> json(exchange, 200, view.mxSkip().store().blocks().stream()
                    .filter(b -> !b.expired(clock.instant())).map(JsonViews::block).toList());
            case "POST api/blocks" -> {
                List<String> args = new java.util.ArrayList<>(List.of(required(exchange, "target")));
                String expires = query(exchange, "expires");
                args.add(expires == null ? "" : expires);
                String reason = query(exchange, "reason");
                if (reason != null) {
                    args.addAll(List.of(reason.strip().split("\\s+")));
                }
                args.removeIf(String::isEmpty);
                json(exchange, 200, JsonViews.lines(view.mxSkip().commands().add(args)));
            }
            case "DELETE api/blocks" -> json(exchange, 200,
                    JsonViews.lines(view.mxSkip().commands().remove(List.of(required(exchange, "target")))));
            case "GET api/blocks/explain" -> json(exchange, 200,
                    JsonViews.lines(view.mxSkip().commands().explain(List.of(required(exchange, "target")))));
            default -> json(exchange, 200, view.domains().stream()
                    .map(d -> JsonViews.primary(d, view.health().primaryUp(d))).toList());
        }
    }

    /** {@code ?limit=N}: how many sources per table, 10 unless asked, at most the tables' capacity. */
    private static int limit(HttpExchange exchange) {
        String text = query(exchange, "limit");
        if (text == null) {
            return 10;
        }
        try {
            int n = Integer.parseInt(text.strip());
            if (n >= 1 && n <= CaughtSources.CAPACITY) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new IllegalArgumentException("limit must be a number from 1 to " + CaughtSources.CAPACITY + ": " + text);
    }

    private static String required(HttpExchange exchange, String name) {
        String value = query(exchange, name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("missing query parameter " + name);
        }
        return value.strip();
    }

    private static void changed(HttpExchange exchange, boolean changed, String what) throws IOException {
        if (changed) {
            json(exchange, 200, JsonViews.message("result", what));
        } else {
            json(exchange, 404, JsonViews.message("error", "no such message (or nothing to change)"));
        }
    }

    /** One query parameter, percent-decoded; queries carry only names like a domain, never a secret. */
    private static String query(HttpExchange exchange, String name) {
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw == null) {
            return null;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                return java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static void json(HttpExchange exchange, int status, Object body) throws IOException {
        text(exchange, status, "application/json; charset=utf-8", JSON_WRITER.asString(body) + "\n");
    }

    private static void text(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static void drain(InputStream in) throws IOException {
        in.readNBytes(MAX_BODY);
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
        if (executor != null) {
            executor.shutdownNow();
        }
    }
}
