package ai.djl.gptq.zoo.repository;

import ai.djl.gptq.zoo.DefaultModel;
import ai.djl.util.Progress;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/** The model bundled in the model-zoo jar ({@link DefaultModel}) as a DJL repository: no download, ever. */
public final class BundledRepository extends FolderRepository {

    /**
     * Creates the repository.
     *
     * @param properties the artifact properties from the zoo index
     */
    public BundledRepository(Map<String, String> properties) {
        super(DefaultModel.ARTIFACT_ID, URI.create("bundled:" + DefaultModel.ARTIFACT_ID), DefaultModel.ARTIFACT_ID,
                properties);
    }

    /** {@inheritDoc} */
    @Override
    protected Path materialize(Progress progress) throws IOException {
        return DefaultModel.path();
    }

    /** {@inheritDoc} */
    @Override
    protected Path expectedFolder() throws IOException {
        return DefaultModel.location();
    }
}
