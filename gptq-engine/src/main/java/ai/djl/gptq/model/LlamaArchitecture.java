package ai.djl.gptq.model;

import ai.djl.gptq.format.checkpoint.ModelConfig;
import java.util.EnumSet;
import java.util.Set;

/** {@code LlamaForCausalLM}: {@code attention_bias} puts a bias on all four attention projections. */
final class LlamaArchitecture implements ModelArchitecture {

    @Override
    public String className() {
        return "LlamaForCausalLM";
    }

    @Override
    public Set<Projection> biasedProjections(ModelConfig config) {
        return config.attentionBias()
                ? EnumSet.of(Projection.Q, Projection.K, Projection.V, Projection.O)
                : EnumSet.noneOf(Projection.class);
    }
}
