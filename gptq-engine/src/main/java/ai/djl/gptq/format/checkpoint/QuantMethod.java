package ai.djl.gptq.format.checkpoint;

/** How a checkpoint's linear layers are quantized. */
public enum QuantMethod {
    /** Not quantized: every weight is dense. */
    NONE,
    /** GPTQ (AutoGPTQ, GPT-QModel): weights packed along the input dimension, optional act-order group index. */
    GPTQ,
    /** AWQ (AutoAWQ): activation-aware scaling, weights packed along the output dimension. */
    AWQ
}
