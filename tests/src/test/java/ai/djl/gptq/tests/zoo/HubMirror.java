package ai.djl.gptq.tests.zoo;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/**
 * A Hugging Face Hub on loopback, in the hub's URL layout: {@code /api/models/{repo}/revision/{rev}} lists a
 * repository, {@code /{repo}/resolve/{rev}/{file}} serves git files directly and redirects LFS files
 * ({@code *.safetensors}) to {@code /cdn/{sha256}}, like the real hub redirects to its CDN. It honours
 * {@code Range}, and can demand a token, cut or stall a transfer once, or serve other bytes than it lists.
 */
final class HubMirror implements AutoCloseable {

    /** One request the mirror answered. */
    record Request(String path, String range, String authorization) {}

    private final HttpServer server;
    private final ExecutorService executor;
    private final Map<String, Repo> repos = new ConcurrentHashMap<>();
    private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    private HubMirror() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        executor = Executors.newFixedThreadPool(4);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    static HubMirror start() throws IOException {
        return new HubMirror();
    }

    /** The base URL to use as {@code HF_ENDPOINT}. */
    URI endpoint() {
        return URI.create("http://" + server.getAddress().getHostString() + ':' + server.getAddress().getPort());
    }

    /**
     * Serves the files of a folder as a repository whose {@code main} is one commit.
     *
     * @param id {@code owner/name}
     * @param folder the files
     * @return the repository, to configure further
     */
    Repo serve(String id, Path folder) {
        Repo repo = new Repo(id);
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.sorted().toList()) {
                repo.add(file.getFileName().toString(), Files.readAllBytes(file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        repos.put(id, repo);
        return repo;
    }

    /** The requests answered so far, in order. */
    List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The requests for one file (its {@code resolve} and CDN requests). */
    List<Request> requestsFor(String repo, String file) {
        String sha = repos.get(repo).lfsSha(file);
        List<Request> matching = new ArrayList<>();
        for (Request request : requests) {
            if (request.path().startsWith("/" + repo + "/resolve/") && request.path().endsWith("/" + file)
                    || sha != null && request.path().equals("/cdn/" + sha)) {
                matching.add(request);
            }
        }
        return matching;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /** A repository the mirror serves. */
    final class Repo {

        final String id;
        final String commit;
        private final Map<String, byte[]> files = new LinkedHashMap<>();
        private final Map<String, String> branches = new ConcurrentHashMap<>();
        private final Map<String, Long> cutOnce = new ConcurrentHashMap<>();
        private final Map<String, Long> stallOnce = new ConcurrentHashMap<>();
        private final Map<String, byte[]> servedInstead = new ConcurrentHashMap<>();
        private volatile String token;

        private Repo(String id) {
            this.id = id;
            this.commit = HexFormat.of().formatHex(digest("SHA-1", id.getBytes(StandardCharsets.UTF_8)));
            branches.put("main", commit);
        }

        /** Adds a file (e.g. one the client must not download). */
        Repo add(String name, byte[] content) {
            files.put(name, content);
            if (name.endsWith(".safetensors")) {
                blobs.put(lfsSha(name), content);
            }
            return this;
        }

        /** Answers 401 unless the request carries this bearer token. */
        Repo requireToken(String value) {
            token = value;
            return this;
        }

        /** Drops the connection after {@code at} bytes the first time the file is sent. */
        Repo cutOnce(String name, long at) {
            cutOnce.put(name, at);
            return this;
        }

        /** Sends {@code at} bytes, then nothing, the first time the file is sent. */
        Repo stallOnce(String name, long at) {
            stallOnce.put(name, at);
            return this;
        }

        /** Serves other bytes for a file than the listing describes. */
        Repo serveInstead(String name, byte[] content) {
            servedInstead.put(name, content);
            if (name.endsWith(".safetensors")) {
                blobs.put(lfsSha(name), content);
            }
            return this;
        }

        String lfsSha(String name) {
            byte[] content = files.get(name);
            return content == null || !name.endsWith(".safetensors")
                    ? null
                    : HexFormat.of().formatHex(digest("SHA-256", content));
        }

        private String json() {
            JsonObject root = new JsonObject();
            root.addProperty("id", id);
            root.addProperty("sha", commit);
            JsonArray siblings = new JsonArray();
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                JsonObject sibling = new JsonObject();
                sibling.addProperty("rfilename", file.getKey());
                sibling.addProperty("size", file.getValue().length);
                String sha = lfsSha(file.getKey());
                if (sha != null) {
                    JsonObject lfs = new JsonObject();
                    lfs.addProperty("sha256", sha);
                    lfs.addProperty("size", file.getValue().length);
                    lfs.addProperty("pointerSize", 134);
                    sibling.add("lfs", lfs);
                }
                siblings.add(sibling);
            }
            root.add("siblings", siblings);
            return root.toString();
        }

        private boolean authorized(HttpExchange exchange) {
            return token == null || ("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"));
        }

        private String commitOf(String revision) {
            return revision.equals(commit) ? commit : branches.get(revision);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        requests.add(new Request(path, exchange.getRequestHeaders().getFirst("Range"),
                exchange.getRequestHeaders().getFirst("Authorization")));
        try (exchange) {
            if (path.startsWith("/api/models/")) {
                listing(exchange, path.substring("/api/models/".length()));
            } else if (path.startsWith("/cdn/")) {
                byte[] blob = blobs.get(path.substring("/cdn/".length()));
                if (blob == null) {
                    error(exchange, 404, "EntryNotFound");
                } else {
                    send(exchange, null, path, blob);
                }
            } else {
                resolve(exchange, path.substring(1));
            }
        }
    }

    private void listing(HttpExchange exchange, String rest) throws IOException {
        int at = rest.indexOf("/revision/");
        if (at < 0) {
            error(exchange, 404, "RepoNotFound");
            return;
        }
        Repo repo = repos.get(rest.substring(0, at));
        if (repo == null) {
            error(exchange, 404, "RepoNotFound");
            return;
        }
        if (!repo.authorized(exchange)) {
            error(exchange, 401, "RepoNotFound");
            return;
        }
        String revision = URLDecoder.decode(rest.substring(at + "/revision/".length()), StandardCharsets.UTF_8);
        if (repo.commitOf(revision) == null) {
            error(exchange, 404, "RevisionNotFound");
            return;
        }
        byte[] body = repo.json().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
    }

    private void resolve(HttpExchange exchange, String rest) throws IOException {
        int at = rest.indexOf("/resolve/");
        Repo repo = at < 0 ? null : repos.get(rest.substring(0, at));
        if (repo == null) {
            error(exchange, 404, "RepoNotFound");
            return;
        }
        if (!repo.authorized(exchange)) {
            error(exchange, 401, "RepoNotFound");
            return;
        }
        String[] revisionAndFile = rest.substring(at + "/resolve/".length()).split("/", 2);
        String revision = URLDecoder.decode(revisionAndFile[0], StandardCharsets.UTF_8);
        String name = URLDecoder.decode(revisionAndFile[1], StandardCharsets.UTF_8);
        if (repo.commitOf(revision) == null) {
            error(exchange, 404, "RevisionNotFound");
            return;
        }
        if (!repo.files.containsKey(name)) {
            error(exchange, 404, "EntryNotFound");
            return;
        }
        String sha = repo.lfsSha(name);
        if (sha != null) {
            exchange.getResponseHeaders().add("Location", "/cdn/" + sha);
            exchange.sendResponseHeaders(302, -1);
            return;
        }
        send(exchange, repo, name, repo.servedInstead.getOrDefault(name, repo.files.get(name)));
    }

    private void send(HttpExchange exchange, Repo owner, String name, byte[] content) throws IOException {
        Repo repo = owner != null ? owner : repoOfBlob(name);
        String file = owner != null ? name : fileOfBlob(repo, name);
        long start = 0;
        String range = exchange.getRequestHeaders().getFirst("Range");
        if (range != null && range.startsWith("bytes=") && range.endsWith("-")) {
            start = Long.parseLong(range.substring(6, range.length() - 1));
            if (start >= content.length) {
                exchange.getResponseHeaders().add("Content-Range", "bytes */" + content.length);
                exchange.sendResponseHeaders(416, -1);
                return;
            }
            exchange.getResponseHeaders()
                    .add("Content-Range", "bytes " + start + '-' + (content.length - 1) + '/' + content.length);
            exchange.sendResponseHeaders(206, content.length - start);
        } else {
            exchange.sendResponseHeaders(200, content.length);
        }
        OutputStream body = exchange.getResponseBody();
        Long cut = repo == null ? null : repo.cutOnce.remove(file);
        Long stall = repo == null ? null : repo.stallOnce.remove(file);
        Long stop = cut != null ? cut : stall;
        if (stop != null && stop > start) {
            body.write(content, (int) start, (int) (stop - start));
            body.flush();
            if (stall != null) {
                // far longer than the test's patience: only the client's stall timeout can end this transfer
                sleepQuietly(60_000);
            }
            // closing a fixed-length body early closes the connection: the client sees a cut transfer
            return;
        }
        body.write(content, (int) start, (int) (content.length - start));
    }

    private Repo repoOfBlob(String cdnPath) {
        String sha = cdnPath.substring("/cdn/".length());
        for (Repo repo : repos.values()) {
            for (String file : repo.files.keySet()) {
                if (sha.equals(repo.lfsSha(file))) {
                    return repo;
                }
            }
        }
        return null;
    }

    private static String fileOfBlob(Repo repo, String cdnPath) {
        if (repo == null) {
            return null;
        }
        String sha = cdnPath.substring("/cdn/".length());
        for (String file : repo.files.keySet()) {
            if (sha.equals(repo.lfsSha(file))) {
                return file;
            }
        }
        return null;
    }

    private static void error(HttpExchange exchange, int status, String code) throws IOException {
        exchange.getResponseHeaders().add("X-Error-Code", code);
        byte[] body = ("{\"error\":\"" + code + "\"}").getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static byte[] digest(String algorithm, byte[] content) {
        try {
            return MessageDigest.getInstance(algorithm).digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
