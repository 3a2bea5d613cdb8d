package ai.djl.gptq.format.checkpoint;

/**
 * Rotary embedding scaling from {@code rope_scaling} (transformers 4.x) or {@code rope_parameters}
 * (transformers 5.x); absent ({@code null} in {@link ModelConfig}) when the rope type is {@code default}.
 *
 * @param type the rope type as transformers names it ({@code linear}, {@code dynamic}, {@code llama3},
 *     {@code yarn}, ...)
 * @param factor the context extension factor
 * @param lowFreqFactor llama3 {@code low_freq_factor} (1 when not given)
 * @param highFreqFactor llama3 {@code high_freq_factor} (4 when not given)
 * @param originalMaxPositionEmbeddings the context length the model was trained with (the config's
 *     {@code max_position_embeddings} when not given)
 */
public record RopeScaling(
        String type, double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositionEmbeddings) {}
