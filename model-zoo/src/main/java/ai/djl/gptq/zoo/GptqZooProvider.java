package ai.djl.gptq.zoo;

import ai.djl.repository.zoo.ModelZoo;
import ai.djl.repository.zoo.ZooProvider;

/** Registers the {@link GptqModelZoo} with DJL ({@code META-INF/services/ai.djl.repository.zoo.ZooProvider}). */
public final class GptqZooProvider implements ZooProvider {

    /** {@inheritDoc} */
    @Override
    public ModelZoo getModelZoo() {
        return new GptqModelZoo();
    }
}
