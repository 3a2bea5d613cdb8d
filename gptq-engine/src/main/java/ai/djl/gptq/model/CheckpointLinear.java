package ai.djl.gptq.model;

import ai.djl.gptq.format.safetensors.Tensor;
import ai.djl.gptq.quant.QuantizedLinear;

/**
 * One linear layer as the checkpoint stores it, before a backend turns it into its own form: exactly one of
 * {@code quantized} (bias inside) and {@code dense} (HF layout {@code [N, K]}, stored precision, with
 * {@code denseBias} or {@code null}).
 */
record CheckpointLinear(String module, int inFeatures, int outFeatures, QuantizedLinear quantized, Tensor dense, float[] denseBias) {

    /** The bias, whichever form the weight has; {@code null} when there is none. */
    float[] bias() {
        return quantized != null ? quantized.bias() : denseBias;
    }
}
