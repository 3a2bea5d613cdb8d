package ai.djl.gptq.quant;

import ai.djl.gptq.format.checkpoint.LayerQuantization;
import ai.djl.gptq.format.safetensors.TensorSource;

/**
 * Builds a {@link QuantizedLinear} from a checkpoint's tensors {@code <module>.qweight}, {@code .qzeros},
 * {@code .scales}, {@code .g_idx} and the optional {@code .bias}, for every supported layout: GPTQ v1
 * ({@code qzeros} store zero - 1) and v2, 2/3/4/8 bits, any group size or -1, act-order {@code g_idx}; AWQ
 * {@code gemm} and {@code gemv}, repacked into the GPTQ layout. Scales and bias may be F16, BF16 or F32.
 *
 * <p>Every tensor is checked against the layer's shape {@code [K, N]} and quantization settings before use;
 * a mismatch is an {@link ai.djl.gptq.format.InconsistentWeightsException} naming the file and tensor, a
 * layout this reader cannot represent an {@link ai.djl.gptq.format.UnsupportedCheckpointException}.
 */
public final class QuantizedLinearReader {

    private QuantizedLinearReader() {}

    /**
     * Reads one quantized linear layer.
     *
     * @param weights the checkpoint's tensors; GPTQ {@code qweight} stays a view of them, so they must stay
     *     open while the layer is used
     * @param module the module name, e.g. {@code model.layers.0.self_attn.q_proj}
     * @param q the layer's quantization settings
     * @param inFeatures K, from the model config
     * @param outFeatures N, from the model config
     */
    public static QuantizedLinear read(
            TensorSource weights, String module, LayerQuantization q, int inFeatures, int outFeatures) {
        if (!q.isQuantized()) {
            throw new IllegalArgumentException(module + " is not quantized: " + q);
        }
        if (inFeatures <= 0 || outFeatures <= 0) {
            throw new IllegalArgumentException(module + ": K = " + inFeatures + ", N = " + outFeatures);
        }
        if (q.groupSize() != -1 && q.groupSize() < 1) {
            throw new IllegalArgumentException(module + ": group size " + q.groupSize());
        }
        ModuleTensors tensors = new ModuleTensors(weights, module);
        float[] bias = tensors.bias(outFeatures);
        return switch (q.format()) {
            case GPTQ_V1, GPTQ_V2 -> GptqLayerReader.read(tensors, q, inFeatures, outFeatures, bias);
            case AWQ_GEMM, AWQ_GEMV -> AwqLayerReader.read(tensors, q, inFeatures, outFeatures, bias);
            case DENSE -> throw new IllegalArgumentException(module + " is dense: " + q);
        };
    }
}
