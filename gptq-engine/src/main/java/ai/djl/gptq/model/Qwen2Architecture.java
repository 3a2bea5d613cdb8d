package ai.djl.gptq.model;

import ai.djl.gptq.format.checkpoint.ModelConfig;
import java.util.EnumSet;
import java.util.Set;

/** {@code Qwen2ForCausalLM}: biases on q, k and v (never on o); often tied embeddings. */
final class Qwen2Architecture implements ModelArchitecture {

    @Override
    public String className() {
        return "Qwen2ForCausalLM";
    }

    @Override
    public Set<Projection> biasedProjections(ModelConfig config) {
        return EnumSet.of(Projection.Q, Projection.K, Projection.V);
    }
}
