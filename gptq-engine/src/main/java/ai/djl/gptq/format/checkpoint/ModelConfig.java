package ai.djl.gptq.format.checkpoint;

import ai.djl.gptq.format.safetensors.DType;
import java.nio.file.Path;

/**
 * The model shape and settings from a Hugging Face {@code config.json}, in either the transformers 4.x style
 * ({@code torch_dtype}, {@code rope_theta}, {@code rope_scaling}) or the 5.x style ({@code dtype},
 * {@code rope_parameters}).
 *
 * @param file the config file it was read from (for messages)
 * @param architecture the transformers class, e.g. {@code LlamaForCausalLM}
 * @param modelType the transformers {@code model_type}, e.g. {@code llama}
 * @param hiddenSize the width of the residual stream
 * @param intermediateSize the width of the MLP
 * @param numLayers decoder layers
 * @param numHeads query heads
 * @param numKvHeads key/value heads (equal to {@code numHeads} without grouped-query attention)
 * @param headDim the width of one head ({@code hidden_size / num_attention_heads} unless the config says)
 * @param vocabSize the number of token ids
 * @param maxPositionEmbeddings the context length the model supports
 * @param rmsNormEps the RMSNorm epsilon
 * @param ropeTheta the rotary embedding base
 * @param ropeScaling rotary scaling, or {@code null} for plain rope
 * @param tieWordEmbeddings whether {@code lm_head} reuses the token embedding
 * @param attentionBias whether q/k/v projections have biases (always for Qwen2)
 * @param slidingWindow the attention window in tokens, 0 for full attention
 * @param dtype the dtype the model was saved in
 * @param hiddenAct the MLP activation, e.g. {@code silu}
 * @param bosTokenId the beginning-of-sequence id, -1 when there is none
 * @param eosTokenIds the end-of-sequence ids (possibly several, possibly none)
 */
public record ModelConfig(
        Path file,
        String architecture,
        String modelType,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        int vocabSize,
        int maxPositionEmbeddings,
        double rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        boolean tieWordEmbeddings,
        boolean attentionBias,
        int slidingWindow,
        DType dtype,
        String hiddenAct,
        int bosTokenId,
        int[] eosTokenIds) {

    public ModelConfig {
        eosTokenIds = eosTokenIds.clone();
    }

    /**
     * Reads and validates {@code configJson}.
     *
     * @throws ai.djl.gptq.format.InvalidConfigException when the file is missing, not JSON, or a value is
     *     missing, mistyped or out of range (the message names the file and the key)
     * @throws ai.djl.gptq.format.UnsupportedCheckpointException for an architecture, dtype, rope type or
     *     attention layout this engine does not run
     */
    public static ModelConfig read(Path configJson) {
        return ModelConfigReader.read(ConfigJson.read(configJson));
    }

    @Override
    public int[] eosTokenIds() {
        return eosTokenIds.clone();
    }

    /** Whether {@code tokenId} ends a sequence. */
    public boolean isEos(int tokenId) {
        for (int id : eosTokenIds) {
            if (id == tokenId) {
                return true;
            }
        }
        return false;
    }
}
