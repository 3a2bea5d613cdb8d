package ai.djl.gptq.format.checkpoint;

/**
 * How one linear layer is quantized.
 *
 * @param method the quantization method
 * @param format the tensor layout on disk
 * @param bits bits per weight (2, 3, 4 or 8; 0 for a dense layer)
 * @param groupSize input rows sharing one scale and zero point; -1 means one group for all rows
 * @param descAct GPTQ act-order: {@code g_idx} is an arbitrary permutation of groups, not {@code k / groupSize}
 * @param sym symmetric quantization (GPTQ {@code sym}; for AWQ the opposite of {@code zero_point})
 * @param zeroPoint whether the stored zero points are applied: always for GPTQ (symmetric GPTQ stores the
 *     midpoint), AWQ's {@code zero_point}
 */
public record LayerQuantization(
        QuantMethod method,
        CheckpointFormat format,
        int bits,
        int groupSize,
        boolean descAct,
        boolean sym,
        boolean zeroPoint) {

    private static final LayerQuantization DENSE =
            new LayerQuantization(QuantMethod.NONE, CheckpointFormat.DENSE, 0, -1, false, false, false);

    /** The settings of a layer that is not quantized. */
    public static LayerQuantization dense() {
        return DENSE;
    }

    /** Whether the layer is quantized at all. */
    public boolean isQuantized() {
        return method != QuantMethod.NONE;
    }
}
