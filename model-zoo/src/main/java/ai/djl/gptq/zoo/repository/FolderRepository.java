package ai.djl.gptq.zoo.repository;

import ai.djl.Application;
import ai.djl.gptq.zoo.GptqModelZoo;
import ai.djl.gptq.zoo.LoaderDefaults;
import ai.djl.repository.AbstractRepository;
import ai.djl.repository.Artifact;
import ai.djl.repository.MRL;
import ai.djl.repository.Metadata;
import ai.djl.repository.VersionRange;
import ai.djl.util.Progress;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A DJL repository holding one text-generation model whose files end up in one local folder (a hub snapshot,
 * the extracted bundled model). DJL's {@code BaseModelLoader} calls {@link #prepare} and then loads the model
 * from {@link #getResourceDirectory}; the single artifact carries {@link LoaderDefaults#arguments()} (the GPTQ
 * engine and the text-generation translator factory), the URL's query arguments and the model's properties.
 */
public abstract class FolderRepository extends AbstractRepository {

    private final String artifactId;
    private final Map<String, String> properties;
    private Metadata metadata;
    private volatile Path folder;

    /**
     * Creates the repository.
     *
     * @param name the repository name
     * @param uri the repository URL; its query string becomes artifact arguments
     * @param artifactId the model's artifact id, e.g. {@code owner/name}
     * @param properties the artifact properties {@code Criteria.optFilter} matches
     */
    protected FolderRepository(String name, URI uri, String artifactId, Map<String, String> properties) {
        super(name, uri);
        this.artifactId = artifactId;
        this.properties = Map.copyOf(properties);
    }

    /**
     * Makes the model folder exist (downloads, extracts) and returns it.
     *
     * @param progress shows progress, or {@code null}
     * @return the model folder
     * @throws IOException if the files cannot be had
     */
    protected abstract Path materialize(Progress progress) throws IOException;

    /**
     * Where the model folder is without making it exist; it need not exist.
     *
     * @return the folder the model is or would be in
     * @throws IOException if the cache cannot be read
     */
    protected abstract Path expectedFolder() throws IOException;

    /** The model's artifact id. */
    public String artifactId() {
        return artifactId;
    }

    /** {@inheritDoc} */
    @Override
    public boolean isRemote() {
        return true;
    }

    /** {@inheritDoc} */
    @Override
    public synchronized Metadata locate(MRL mrl) {
        if (metadata == null) {
            Artifact artifact = new Artifact();
            artifact.setName(artifactId.substring(artifactId.lastIndexOf('/') + 1));
            artifact.setProperties(properties);
            Map<String, Object> artifactArguments = LoaderDefaults.arguments();
            artifactArguments.putAll(arguments);
            artifact.setArguments(artifactArguments);
            artifact.setOptions(LoaderDefaults.options());
            Metadata built = new Metadata();
            built.setGroupId(GptqModelZoo.GROUP_ID);
            built.setArtifactId(artifactId);
            built.setApplication(Application.NLP.TEXT_GENERATION);
            built.setRepositoryUri(URI.create(""));
            built.setArtifacts(List.of(artifact));
            metadata = built;
        }
        return metadata;
    }

    /** {@inheritDoc} */
    @Override
    public Artifact resolve(MRL mrl, Map<String, String> filter) {
        List<Artifact> artifacts = locate(mrl).search(VersionRange.parse(mrl.getVersion()), filter);
        return artifacts.isEmpty() ? null : artifacts.get(0);
    }

    /** {@inheritDoc} */
    @Override
    public void prepare(Artifact artifact, Progress progress) throws IOException {
        folder = materialize(progress);
    }

    /** {@inheritDoc} */
    @Override
    public Path getResourceDirectory(Artifact artifact) throws IOException {
        Path prepared = folder;
        return prepared != null ? prepared : expectedFolder();
    }

    /** {@inheritDoc} */
    @Override
    protected URI resolvePath(Artifact.Item item, String path) throws IOException {
        return getResourceDirectory(item.getArtifact()).resolve(path).toUri();
    }

    /** {@inheritDoc} */
    @Override
    public List<MRL> getResources() {
        return List.of(model(Application.NLP.TEXT_GENERATION, GptqModelZoo.GROUP_ID, artifactId));
    }
}
