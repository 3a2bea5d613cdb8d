package ai.djl.gptq.model;

import ai.djl.gptq.format.checkpoint.ModelConfig;
import java.util.EnumSet;
import java.util.Set;

/** {@code MistralForCausalLM}: LLaMA without biases, with a sliding attention window from the config. */
final class MistralArchitecture implements ModelArchitecture {

    @Override
    public String className() {
        return "MistralForCausalLM";
    }

    @Override
    public Set<Projection> biasedProjections(ModelConfig config) {
        return EnumSet.noneOf(Projection.class);
    }
}
