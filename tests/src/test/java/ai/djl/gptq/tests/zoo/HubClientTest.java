package ai.djl.gptq.tests.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.gptq.zoo.hub.HubCache;
import ai.djl.gptq.zoo.hub.HubClient;
import ai.djl.gptq.zoo.hub.HubException;
import ai.djl.gptq.zoo.hub.HubRepoId;
import ai.djl.gptq.zoo.hub.HubSettings;
import ai.djl.util.Progress;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/** The hub client against a hub mirror on loopback. */
class HubClientTest {

    static final Path FIXTURE = Path.of("src/test/resources/fixtures/models/qwen2-gptq-int4");
    static final Set<String> FIXTURE_FILES =
            Set.of("config.json", "generation_config.json", "model.safetensors", "tokenizer.json",
                    "tokenizer_config.json");
    private static final HubRepoId REPO = HubRepoId.parse("test-owner/tiny-qwen2");

    @TempDir Path cacheRoot;
    private HubMirror mirror;

    @BeforeEach
    void startMirror() throws IOException {
        mirror = HubMirror.start();
    }

    @AfterEach
    void stopMirror() {
        mirror.close();
    }

    private HubClient client() {
        return new HubClient(new HubSettings(mirror.endpoint(), null, cacheRoot, false, Duration.ofSeconds(30)));
    }

    @Test
    void downloadsOnlyModelFilesIntoCommitSnapshot() throws IOException {
        HubMirror.Repo repo = mirror.serve(REPO.toString(), FIXTURE)
                .add("pytorch_model.bin", new byte[1000])
                .add("model.pt", new byte[10])
                .add("onnx/model.onnx", new byte[100])
                .add("onnx/model.safetensors", new byte[100])
                .add("README.md", "# tiny".getBytes(StandardCharsets.UTF_8));
        CountingProgress progress = new CountingProgress();

        Path snapshot = client().download(REPO, "main", progress);

        assertEquals(cacheRoot.resolve("test-owner/tiny-qwen2/snapshots/" + repo.commit), snapshot);
        assertEquals(new TreeSet<>(FIXTURE_FILES), names(snapshot));
        for (String name : FIXTURE_FILES) {
            assertArrayEquals(Files.readAllBytes(FIXTURE.resolve(name)), Files.readAllBytes(snapshot.resolve(name)),
                    name);
        }
        assertEquals(repo.commit,
                Files.readString(cacheRoot.resolve("test-owner/tiny-qwen2/refs/main")).trim());
        assertFalse(Files.exists(cacheRoot.resolve("test-owner/tiny-qwen2/incomplete/" + repo.commit)));
        long total = fixtureBytes();
        assertEquals(total, progress.max);
        assertEquals(total, progress.received);
        assertTrue(progress.ended);
        for (HubMirror.Request request : mirror.requests()) {
            assertFalse(request.path().contains(".bin") || request.path().contains("onnx")
                    || request.path().contains("README") || request.path().endsWith(".pt"), request.path());
        }

        int before = mirror.requests().size();
        assertEquals(snapshot, client().download(REPO, "main", null));
        List<HubMirror.Request> again = mirror.requests().subList(before, mirror.requests().size());
        assertEquals(1, again.size(), "a cached commit needs only the listing: " + again);
        assertTrue(again.get(0).path().startsWith("/api/models/test-owner/tiny-qwen2/revision/main"));
    }

    @Test
    void resumesAfterTheServerCutsTheConnection() throws IOException {
        mirror.serve(REPO.toString(), FIXTURE).cutOnce("model.safetensors", 3_000_000);

        Path snapshot = client().download(REPO, "main", null);

        assertArrayEquals(Files.readAllBytes(FIXTURE.resolve("model.safetensors")),
                Files.readAllBytes(snapshot.resolve("model.safetensors")));
        assertResumedOnce(3_000_000);
    }

    @Test
    void resumesAPartFileLeftByAKilledDownload() throws IOException {
        HubMirror.Repo repo = mirror.serve(REPO.toString(), FIXTURE);
        byte[] weights = Files.readAllBytes(FIXTURE.resolve("model.safetensors"));
        Path incomplete = cacheRoot.resolve("test-owner/tiny-qwen2/incomplete/" + repo.commit);
        Files.createDirectories(incomplete);
        Files.write(incomplete.resolve("model.safetensors.part"), Arrays.copyOf(weights, 1 << 20));

        Path snapshot = client().download(REPO, "main", null);

        assertArrayEquals(weights, Files.readAllBytes(snapshot.resolve("model.safetensors")));
        assertEquals(List.of("bytes=1048576-"), cdnRanges("model.safetensors"));
    }

    @Test
    void resumesAStalledTransfer() throws IOException {
        mirror.serve(REPO.toString(), FIXTURE).stallOnce("model.safetensors", 1_000_000);
        HubClient client = new HubClient(
                new HubSettings(mirror.endpoint(), null, cacheRoot, false, Duration.ofMillis(300)));

        Path snapshot = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            Path downloaded = client.download(REPO, "main", null);
            assertFalse(Thread.currentThread().isInterrupted(), "the stall watch must clear its interrupt");
            return downloaded;
        });

        assertArrayEquals(Files.readAllBytes(FIXTURE.resolve("model.safetensors")),
                Files.readAllBytes(snapshot.resolve("model.safetensors")));
        assertResumedOnce(1_000_000);
    }

    @Test
    void concurrentDownloadsOfOneCommitShareOneSnapshot() throws Exception {
        mirror.serve(REPO.toString(), FIXTURE);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Callable<Path> download = () -> client().download(REPO, "main", null);
            List<Future<Path>> results = pool.invokeAll(List.of(download, download));
            Path first = results.get(0).get();
            assertEquals(first, results.get(1).get());
            assertArrayEquals(Files.readAllBytes(FIXTURE.resolve("model.safetensors")),
                    Files.readAllBytes(first.resolve("model.safetensors")));
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, cdnRanges("model.safetensors").size(), "the second download waits and reuses the first");
    }

    @Test
    void unknownRepositoryOrRevisionIsNotFound() {
        mirror.serve(REPO.toString(), FIXTURE);

        HubException repo = assertThrows(HubException.class,
                () -> client().download(HubRepoId.parse("nobody/missing"), "main", null));
        assertEquals(HubException.Reason.NOT_FOUND, repo.reason());
        assertTrue(repo.getMessage().contains("repository or revision not found: nobody/missing@main"),
                repo.getMessage());

        HubException revision = assertThrows(HubException.class, () -> client().download(REPO, "v9", null));
        assertEquals(HubException.Reason.NOT_FOUND, revision.reason());
        assertTrue(revision.getMessage().contains("revision not found: test-owner/tiny-qwen2@v9"),
                revision.getMessage());
        assertFalse(Files.exists(cacheRoot.resolve("test-owner/tiny-qwen2/snapshots")));
    }

    @Test
    void privateRepositoryNeedsToken() throws IOException {
        mirror.serve(REPO.toString(), FIXTURE).requireToken("hf_secret");
        HubSettings settings = new HubSettings(mirror.endpoint(), null, cacheRoot, false, Duration.ofSeconds(30));

        HubException anonymous = assertThrows(HubException.class,
                () -> new HubClient(settings).download(REPO, "main", null));
        assertEquals(HubException.Reason.UNAUTHORIZED, anonymous.reason());
        assertTrue(anonymous.getMessage().contains("test-owner/tiny-qwen2@main needs HF_TOKEN"),
                anonymous.getMessage());
        assertTrue(anonymous.getMessage().contains("401"), anonymous.getMessage());

        HubException wrong = assertThrows(HubException.class,
                () -> new HubClient(settings.withToken("hf_wrong")).download(REPO, "main", null));
        assertEquals(HubException.Reason.UNAUTHORIZED, wrong.reason());
        assertTrue(wrong.getMessage().contains("refused the token in HF_TOKEN"), wrong.getMessage());

        Path snapshot = new HubClient(settings.withToken("hf_secret")).download(REPO, "main", null);
        assertEquals(new TreeSet<>(FIXTURE_FILES), names(snapshot));
        HubMirror.Request last = mirror.requests().getLast();
        assertEquals("Bearer hf_secret", last.authorization(), "the token travels with same-host redirects");
    }

    @Test
    void offlineModeServesTheCacheAndResolvesTheRevisionThroughRefs() throws IOException {
        mirror.serve(REPO.toString(), FIXTURE);
        HubSettings online = new HubSettings(mirror.endpoint(), null, cacheRoot, false, Duration.ofSeconds(30));
        HubClient offline = new HubClient(online.withOffline(true));

        HubException missing = assertThrows(HubException.class, () -> offline.download(REPO, "main", null));
        assertEquals(HubException.Reason.NOT_CACHED, missing.reason());
        assertTrue(missing.getMessage().contains("offline mode"), missing.getMessage());

        Path snapshot = new HubClient(online).download(REPO, "main", null);
        int requests = mirror.requests().size();

        assertEquals(snapshot, offline.download(REPO, "main", null));
        assertEquals(snapshot, offline.download(REPO, snapshot.getFileName().toString(), null),
                "a commit resolves to its own snapshot");
        assertEquals(requests, mirror.requests().size(), "offline mode must not touch the network");
        assertThrows(HubException.class, () -> offline.download(REPO, "other-branch", null));
    }

    @Test
    void unreachableHubUsesTheCacheOrSaysItCannotReachTheHub() throws IOException {
        URI dead;
        try (ServerSocket socket = new ServerSocket(0)) {
            dead = URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
        HubClient unreachable = new HubClient(new HubSettings(dead, null, cacheRoot, false, Duration.ofSeconds(5)));

        HubException e = assertThrows(HubException.class, () -> unreachable.download(REPO, "main", null));
        assertEquals(HubException.Reason.UNREACHABLE, e.reason());
        assertTrue(e.getMessage().contains("cannot reach the hub at " + dead), e.getMessage());
        assertTrue(e.getMessage().contains("not in the cache"), e.getMessage());

        mirror.serve(REPO.toString(), FIXTURE);
        Path snapshot = client().download(REPO, "main", null);
        assertEquals(snapshot, unreachable.download(REPO, "main", null));
    }

    @Test
    void fileOfTheWrongSizeIsRefused() throws IOException {
        HubMirror.Repo repo = mirror.serve(REPO.toString(), FIXTURE)
                .serveInstead("config.json", "{}".getBytes(StandardCharsets.UTF_8));

        HubException e = assertThrows(HubException.class, () -> client().download(REPO, "main", null));

        assertEquals(HubException.Reason.CORRUPT, e.reason());
        assertTrue(e.getMessage().contains("config.json"), e.getMessage());
        assertNoFileLooksComplete(repo, "config.json");
    }

    @Test
    void fileWithTheWrongSha256IsRefused() throws IOException {
        byte[] weights = Files.readAllBytes(FIXTURE.resolve("model.safetensors"));
        byte[] forged = weights.clone();
        forged[forged.length / 2] ^= 1;
        HubMirror.Repo repo = mirror.serve(REPO.toString(), FIXTURE).serveInstead("model.safetensors", forged);

        HubException e = assertThrows(HubException.class, () -> client().download(REPO, "main", null));

        assertEquals(HubException.Reason.CORRUPT, e.reason());
        assertTrue(e.getMessage().contains("sha256"), e.getMessage());
        assertNoFileLooksComplete(repo, "model.safetensors");
    }

    @Test
    void shardedCheckpointFetchesTheIndexAndTheShardsItNames(@TempDir Path folder) throws IOException {
        Files.copy(FIXTURE.resolve("config.json"), folder.resolve("config.json"));
        Files.writeString(folder.resolve("model.safetensors.index.json"), """
                {"metadata": {"total_size": 30},
                 "weight_map": {"a.weight": "model-00001-of-00002.safetensors",
                                "b.weight": "model-00002-of-00002.safetensors",
                                "c.weight": "model-00001-of-00002.safetensors"}}
                """);
        Files.write(folder.resolve("model-00001-of-00002.safetensors"), new byte[10]);
        Files.write(folder.resolve("model-00002-of-00002.safetensors"), new byte[20]);
        Files.write(folder.resolve("consolidated.safetensors"), new byte[30]);
        mirror.serve(REPO.toString(), folder);

        Path snapshot = client().download(REPO, "main", null);

        assertEquals(new TreeSet<>(Set.of("config.json", "model.safetensors.index.json",
                "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors")), names(snapshot));
    }

    @Test
    void repositoryWithoutSafetensorsIsUnsupported(@TempDir Path folder) throws IOException {
        Files.copy(FIXTURE.resolve("config.json"), folder.resolve("config.json"));
        Files.write(folder.resolve("pytorch_model.bin"), new byte[10]);
        mirror.serve(REPO.toString(), folder);

        HubException e = assertThrows(HubException.class, () -> client().download(REPO, "main", null));

        assertEquals(HubException.Reason.UNSUPPORTED, e.reason());
        assertTrue(e.getMessage().contains("no *.safetensors weights"), e.getMessage());
        assertTrue(e.getMessage().contains("pytorch_model.bin"), e.getMessage());
    }

    @Test
    void namesThatCouldEscapeTheCacheAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> HubRepoId.parse("../etc"));
        assertThrows(IllegalArgumentException.class, () -> HubRepoId.parse("owner/.."));
        assertThrows(IllegalArgumentException.class, () -> HubRepoId.parse("owner/name/extra"));
        HubCache cache = new HubCache(cacheRoot);
        assertThrows(IllegalArgumentException.class, () -> cache.snapshot(REPO, "../../x"));
        assertEquals(cacheRoot.resolve("test-owner/tiny-qwen2/snapshots/refs/pr/1"), cache.snapshot(REPO, "refs/pr/1"));
        assertNull(HubRepoId.parse("gpt2").owner());
    }

    private void assertNoFileLooksComplete(HubMirror.Repo repo, String name) throws IOException {
        Path repoDir = cacheRoot.resolve("test-owner/tiny-qwen2");
        assertFalse(Files.exists(repoDir.resolve("snapshots/" + repo.commit)), "no snapshot may be published");
        Path incomplete = repoDir.resolve("incomplete/" + repo.commit);
        assertFalse(Files.exists(incomplete.resolve(name)), "a refused file must not keep its final name");
        assertFalse(Files.exists(incomplete.resolve(name + ".part")), "a refused download is discarded");
    }

    /** The weights took two requests, the second resuming from what the first delivered. */
    private void assertResumedOnce(long sentBeforeCut) {
        List<String> ranges = cdnRanges("model.safetensors");
        assertEquals(2, ranges.size(), ranges.toString());
        assertNull(ranges.get(0));
        // the client resumes from what reached it, which may be less than what the server wrote before closing
        String range = ranges.get(1);
        assertTrue(range.startsWith("bytes=") && range.endsWith("-"), range);
        long from = Long.parseLong(range.substring(6, range.length() - 1));
        assertTrue(from > 0 && from <= sentBeforeCut, range);
    }

    private List<String> cdnRanges(String file) {
        return mirror.requestsFor(REPO.toString(), file).stream()
                .filter(r -> r.path().startsWith("/cdn/"))
                .map(HubMirror.Request::range)
                .toList();
    }

    static Set<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return new TreeSet<>(files.map(p -> p.getFileName().toString()).toList());
        }
    }

    private static long fixtureBytes() throws IOException {
        long total = 0;
        for (String name : FIXTURE_FILES) {
            total += Files.size(FIXTURE.resolve(name));
        }
        return total;
    }

    /** Records what the client reports. */
    private static final class CountingProgress implements Progress {
        long max;
        long received;
        boolean ended;

        @Override
        public void reset(String message, long max, String trailingMessage) {
            this.max = max;
            received = 0;
        }

        @Override
        public void start(long initialProgress) {
            received = initialProgress;
        }

        @Override
        public void end() {
            ended = true;
        }

        @Override
        public void increment(long increment) {
            received += increment;
        }

        @Override
        public void update(long progress, String message) {
            received = progress;
        }
    }
}
