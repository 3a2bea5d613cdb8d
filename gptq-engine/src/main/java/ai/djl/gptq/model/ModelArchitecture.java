package ai.djl.gptq.model;

import ai.djl.gptq.format.UnsupportedCheckpointException;
import ai.djl.gptq.format.checkpoint.ModelConfig;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What distinguishes one decoder-only architecture from another for the shared decoder: the tensor names and
 * which projections carry a bias. The defaults are LLaMA's naming; the sliding window and embedding tying come
 * from {@link ModelConfig}. Adding an architecture means adding one small implementation and listing it in
 * {@link #KNOWN}.
 */
public interface ModelArchitecture {

    /** The architectures the decoder runs. */
    List<ModelArchitecture> KNOWN = List.of(new LlamaArchitecture(), new MistralArchitecture(), new Qwen2Architecture());

    /** The transformers class, as {@code config.json}'s {@code architectures} names it. */
    String className();

    /** The projections whose module has a bias for this config. */
    Set<Projection> biasedProjections(ModelConfig config);

    default String embedTokens() {
        return "model.embed_tokens.weight";
    }

    /** The module name of projection {@code p} of layer {@code layer}. */
    default String module(int layer, Projection p) {
        return "model.layers." + layer + "." + p.module();
    }

    /** The weight tensor of norm {@code n} of layer {@code layer}. */
    default String norm(int layer, NormPosition n) {
        return "model.layers." + layer + "." + n.module() + ".weight";
    }

    default String finalNorm() {
        return "model.norm.weight";
    }

    /** The module name of the output projection (unused when the config ties it to the embeddings). */
    default String lmHead() {
        return "lm_head";
    }

    /**
     * The architecture of {@code config}.
     *
     * @throws UnsupportedCheckpointException when none of {@link #KNOWN} is it
     */
    static ModelArchitecture of(ModelConfig config) {
        for (ModelArchitecture a : KNOWN) {
            if (a.className().equals(config.architecture())) {
                return a;
            }
        }
        throw new UnsupportedCheckpointException(config.file(), "architectures", "architecture "
                + config.architecture() + " has no decoder; supported: "
                + KNOWN.stream().map(ModelArchitecture::className).collect(Collectors.joining(", ")));
    }
}
