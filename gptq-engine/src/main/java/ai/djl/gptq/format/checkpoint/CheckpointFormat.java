package ai.djl.gptq.format.checkpoint;

/** The on-disk layout of a quantized linear layer's tensors. */
public enum CheckpointFormat {
    /** GPTQ {@code checkpoint_format: gptq}: {@code qzeros} stores each zero point minus one. */
    GPTQ_V1,
    /** GPTQ {@code checkpoint_format: gptq_v2}: {@code qzeros} stores the zero point itself. */
    GPTQ_V2,
    /** AWQ {@code version: gemm}: packed along the output dimension in the interleaved nibble order. */
    AWQ_GEMM,
    /** AWQ {@code version: gemv}: the layout of AutoAWQ's GEMV kernel. */
    AWQ_GEMV,
    /** Not quantized. */
    DENSE
}
