package ai.djl.gptq.zoo.hub;

import ai.djl.util.Progress;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Downloads a model from the Hugging Face Hub the way {@code huggingface_hub} does, into DJL's cache.
 *
 * <ol>
 *   <li>{@code GET {endpoint}/api/models/{repo}/revision/{revision}?blobs=true} gives the commit ({@code sha})
 *       and the files with their sizes and, for LFS files, sha256 ({@code siblings}).
 *   <li>Only the files a model needs are fetched (see {@link #METADATA_FILES}; weights as safetensors only),
 *       each from {@code GET {endpoint}/{repo}/resolve/{commit}/{path}}, following redirects to the CDN (the
 *       JDK drops the token on a redirect to another host), resuming a cut transfer with {@code Range}.
 *   <li>Files are verified and renamed from {@code .part}; the finished folder is published in one rename as
 *       {@code <cache>/gptq/hub/<owner>/<name>/snapshots/<commit>/}, and the revision's commit is written to
 *       {@code refs/<revision>} so the same revision resolves offline.
 * </ol>
 *
 * <p>Offline ({@code HF_HUB_OFFLINE=1} or DJL's offline mode) only the cache is used; when the hub cannot be
 * reached a cached snapshot of the revision is used, with a warning.
 */
public final class HubClient {

    /** The files besides the weights that are fetched when a repository has them. */
    public static final List<String> METADATA_FILES = ModelFiles.METADATA;

    static final String USER_AGENT = "djl-gptq; java/" + Runtime.version().feature();

    private static final Logger logger = LoggerFactory.getLogger(HubClient.class);
    private static final long MAX_LISTING_BYTES = 32L << 20;

    private static final HttpClient HTTP =
            HttpClient.newBuilder()
                    .followRedirects(HttpClient.Redirect.NORMAL)
                    .connectTimeout(Duration.ofSeconds(20))
                    .build();

    private final HubSettings settings;
    private final HubCache cache;

    /**
     * Creates a client.
     *
     * @param settings endpoint, token, cache folder and offline mode
     */
    public HubClient(HubSettings settings) {
        this.settings = settings;
        this.cache = new HubCache(settings.cacheRoot());
    }

    /** A client configured from system properties and the environment (see {@link HubSettings}). */
    public static HubClient fromEnvironment() {
        return new HubClient(HubSettings.fromEnvironment());
    }

    /** The settings in use. */
    public HubSettings settings() {
        return settings;
    }

    /** The cache layout in use. */
    public HubCache cache() {
        return cache;
    }

    /**
     * Returns the folder holding the model files of a repository at a revision, downloading what is missing.
     *
     * @param repo the repository
     * @param revision a branch, tag or commit, e.g. {@code main}
     * @param progress shows the bytes received, or {@code null}
     * @return the snapshot folder
     * @throws HubException if the hub refuses, the files are not there, or they cannot be verified
     * @throws IOException if the cache cannot be written
     */
    public Path download(HubRepoId repo, String revision, Progress progress) throws IOException {
        String label = repo + "@" + HubCache.checkedRevision(revision);
        if (settings.offline()) {
            return cache.cachedSnapshot(repo, revision)
                    .orElseThrow(
                            () ->
                                    new HubException(
                                            HubException.Reason.NOT_CACHED,
                                            "offline mode (HF_HUB_OFFLINE=1 or DJL_OFFLINE=true) and " + label
                                                    + " is not in the cache " + cache.repoDir(repo)
                                                    + "; download it once while online"));
        }
        RepoListing listing;
        try {
            listing = listing(repo, revision);
        } catch (HubException | InterruptedIOException e) {
            throw e;
        } catch (IOException e) {
            Optional<Path> cached = cache.cachedSnapshot(repo, revision);
            if (cached.isPresent()) {
                logger.warn("cannot reach {} ({}); using the cached {}", settings.endpoint(), e.toString(), label);
                return cached.get();
            }
            throw new HubException(
                    HubException.Reason.UNREACHABLE,
                    "cannot reach the hub at " + settings.endpoint() + " (" + e + ") and " + label
                            + " is not in the cache " + cache.repoDir(repo),
                    e);
        }
        Path snapshot = fetch(repo, listing, label, progress);
        cache.writeRef(repo, revision, listing.commit());
        return snapshot;
    }

    /**
     * The snapshot of a revision in the cache, without asking the hub.
     *
     * @param repo the repository
     * @param revision a branch, tag or commit
     * @return the snapshot folder if the cache holds it
     * @throws IOException if the cache cannot be read
     */
    public Optional<Path> cached(HubRepoId repo, String revision) throws IOException {
        return cache.cachedSnapshot(repo, revision);
    }

    /**
     * Asks the hub for the commit and files of a revision.
     *
     * @param repo the repository
     * @param revision a branch, tag or commit
     * @return the listing
     * @throws HubException if the hub refuses or answers something else than a listing
     * @throws IOException if the hub cannot be reached
     */
    public RepoListing listing(HubRepoId repo, String revision) throws IOException {
        String label = repo + "@" + revision;
        URI url = URI.create(settings.endpoint() + "/api/models/" + repo + "/revision/" + encode(revision)
                + "?blobs=true");
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
                .GET()
                .timeout(Duration.ofSeconds(60))
                .header("User-Agent", USER_AGENT)
                .header("Accept", "application/json");
        if (settings.token() != null) {
            request.header("Authorization", "Bearer " + settings.token());
        }
        HttpResponse<InputStream> response;
        try {
            response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while asking " + url);
        }
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw HubErrors.of(response.statusCode(), response.headers(), url, label, settings.token() != null);
            }
            return RepoListing.parse(readLimited(body, url), url.toString());
        }
    }

    private Path fetch(HubRepoId repo, RepoListing listing, String label, Progress progress) throws IOException {
        String commit = listing.commit();
        Path snapshot = cache.snapshot(repo, commit);
        if (Files.isDirectory(snapshot)) {
            return snapshot;
        }
        Path incomplete = cache.incomplete(repo, commit);
        try (SnapshotLock lock = SnapshotLock.acquire(incomplete.resolveSibling(commit + ".lock"))) {
            if (Files.isDirectory(snapshot)) {
                return snapshot; // downloaded meanwhile by another thread or process
            }
            Files.createDirectories(incomplete);
            HubDownload download = new HubDownload(HTTP, settings);
            List<RepoFile> metadata = ModelFiles.metadata(listing, label);
            Optional<RepoFile> index = listing.file(ShardIndex.NAME);
            if (index.isPresent()) {
                download.fetch(url(repo, commit, ShardIndex.NAME), index.get(), incomplete.resolve(ShardIndex.NAME),
                        label, null);
            }
            List<RepoFile> files = new ArrayList<>(metadata);
            files.addAll(ModelFiles.weights(listing, index.isPresent() ? incomplete.resolve(ShardIndex.NAME) : null,
                    label));
            if (progress != null) {
                progress.reset("Downloading", totalBytes(files, incomplete), label);
            }
            try {
                for (RepoFile file : files) {
                    download.fetch(url(repo, commit, file.path()), file, incomplete.resolve(file.path()), label,
                            progress);
                }
            } finally {
                if (progress != null) {
                    progress.end();
                }
            }
            return cache.publish(repo, commit);
        }
    }

    private static long totalBytes(List<RepoFile> files, Path incomplete) throws IOException {
        long total = 0;
        for (RepoFile file : files) {
            if (file.hasSize() && !Files.isRegularFile(incomplete.resolve(file.path()))) {
                Path part = incomplete.resolve(file.path() + ".part");
                total += file.size() - (Files.isRegularFile(part) ? Math.min(Files.size(part), file.size()) : 0);
            }
        }
        return total;
    }

    private URI url(HubRepoId repo, String commit, String path) {
        return URI.create(settings.endpoint() + "/" + repo + "/resolve/" + encode(commit) + "/" + encode(path));
    }

    /** Percent-encodes one path segment ({@code huggingface_hub} quotes revisions and names the same way). */
    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String readLimited(InputStream body, URI url) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = body.read(buffer)) >= 0) {
            if (out.size() + n > MAX_LISTING_BYTES) {
                throw new HubException(
                        HubException.Reason.PROTOCOL, url + " answered more than " + MAX_LISTING_BYTES + " bytes");
            }
            out.write(buffer, 0, n);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
