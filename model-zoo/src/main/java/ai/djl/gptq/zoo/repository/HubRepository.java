package ai.djl.gptq.zoo.repository;

import ai.djl.gptq.zoo.hub.HubClient;
import ai.djl.gptq.zoo.hub.HubRepoId;
import ai.djl.training.util.ProgressBar;
import ai.djl.util.Progress;

import java.io.Console;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/**
 * One Hugging Face Hub repository at one revision as a DJL repository: {@code prepare} downloads the model files
 * with {@link HubClient} and the model loads from the snapshot folder.
 *
 * <p>The hub settings ({@code HF_ENDPOINT}, {@code HF_TOKEN}, offline mode, the cache folder) are read when the
 * files are needed, not when the repository is made: the zoo makes its repositories once per JVM.
 */
public final class HubRepository extends FolderRepository {

    private final HubRepoId repo;
    private final String revision;

    /**
     * Creates the repository.
     *
     * @param name the repository name
     * @param uri the repository URL (its query string becomes artifact arguments)
     * @param repo the hub repository
     * @param revision the branch, tag or commit
     * @param properties the artifact properties
     */
    public HubRepository(String name, URI uri, HubRepoId repo, String revision, Map<String, String> properties) {
        super(name, uri, repo.toString(), properties);
        this.repo = repo;
        this.revision = revision;
    }

    /** The hub repository. */
    public HubRepoId repo() {
        return repo;
    }

    /** The revision downloaded. */
    public String revision() {
        return revision;
    }

    /** {@inheritDoc} */
    @Override
    protected Path materialize(Progress progress) throws IOException {
        Progress shown = progress;
        if (shown == null && isTerminal()) {
            shown = new ProgressBar();
        }
        return HubClient.fromEnvironment().download(repo, revision, shown);
    }

    /** {@inheritDoc} */
    @Override
    protected Path expectedFolder() throws IOException {
        HubClient client = HubClient.fromEnvironment();
        // a revision that is not resolved yet maps to a snapshot folder that exists only if it names a commit
        return client.cached(repo, revision).orElse(client.cache().snapshot(repo, revision));
    }

    private static boolean isTerminal() {
        Console console = System.console();
        return console != null && console.isTerminal();
    }
}
