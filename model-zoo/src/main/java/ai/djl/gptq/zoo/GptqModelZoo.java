package ai.djl.gptq.zoo;

import ai.djl.gptq.zoo.hub.HubRepoId;
import ai.djl.gptq.zoo.repository.BundledRepository;
import ai.djl.gptq.zoo.repository.FolderRepository;
import ai.djl.gptq.zoo.repository.HubRepository;
import ai.djl.repository.zoo.ModelZoo;

import java.net.URI;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The model zoo of GPTQ and AWQ checkpoints, group id {@value #GROUP_ID}, application {@code nlp/text_generation}.
 * Its artifact ids are hub repository names from the {@link ModelIndex} (e.g.
 * {@code Qwen/Qwen2.5-0.5B-Instruct-GPTQ-Int4}) plus the bundled {@link DefaultModel#ARTIFACT_ID}; models load on
 * the GPTQ engine unless the criteria name PyTorch, which runs the same checkpoint dequantized.
 */
public final class GptqModelZoo extends ModelZoo {

    /** The zoo's group id. */
    public static final String GROUP_ID = "ai.djl.gptq";

    private static final Set<String> ENGINES = new LinkedHashSet<>(List.of(LoaderDefaults.ENGINE, "PyTorch"));

    private final ModelIndex index;

    /** Creates the zoo from the built-in index. */
    @SuppressWarnings("this-escape")
    public GptqModelZoo() {
        index = ModelIndex.builtIn();
        for (IndexEntry entry : index.entries()) {
            FolderRepository repository;
            if (entry.bundled()) {
                repository = new BundledRepository(entry.properties());
            } else {
                URI uri = URI.create("hf://" + entry.id() + '@' + entry.revision());
                repository =
                        new HubRepository(
                                entry.id(), uri, HubRepoId.parse(entry.id()), entry.revision(), entry.properties());
            }
            addModel(repository.getResources().get(0));
        }
    }

    /** {@inheritDoc} */
    @Override
    public String getGroupId() {
        return GROUP_ID;
    }

    /** {@inheritDoc} */
    @Override
    public Set<String> getSupportedEngines() {
        return ENGINES;
    }

    /** The index the zoo was made from. */
    public ModelIndex index() {
        return index;
    }
}
