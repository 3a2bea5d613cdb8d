package ai.djl.gptq.quant;

import ai.djl.gptq.format.InconsistentWeightsException;
import ai.djl.gptq.format.checkpoint.CheckpointFormat;
import ai.djl.gptq.format.checkpoint.LayerQuantization;
import ai.djl.gptq.format.safetensors.DType;
import ai.djl.gptq.format.safetensors.Tensor;

/**
 * Reads a GPTQ layer (AutoGPTQ / GPT-QModel, {@code checkpoint_format} {@code gptq} or {@code gptq_v2}):
 * {@code qweight} int32 {@code [K * bits / 32, N]} packed along K, {@code qzeros} int32
 * {@code [G, N * bits / 32]} packed along N the same way, {@code scales} {@code [G, N]}, {@code g_idx}
 * {@code [K]} with {@code G = ceil(K / group_size)} (1 for {@code group_size: -1}). {@code qweight} is already
 * the {@link QuantizedLinear} layout, so it stays a zero-copy view of the file.
 */
final class GptqLayerReader {

    private GptqLayerReader() {}

    static QuantizedLinear read(ModuleTensors tensors, LayerQuantization q, int inFeatures, int outFeatures, float[] bias) {
        int bits = q.bits();
        int groupSize = q.groupSize() == -1 ? inFeatures : q.groupSize();
        int groups = (int) ((inFeatures + (long) groupSize - 1) / groupSize);

        Tensor qweight = tensors.required("qweight");
        if ((long) inFeatures * bits % 32 != 0) {
            throw new InconsistentWeightsException(qweight.file(), qweight.name(), "K = " + inFeatures
                    + " cannot be packed at " + bits + " bits: K * bits must be a multiple of 32");
        }
        long packedRows = (long) inFeatures * bits / 32;
        ModuleTensors.packedWords(qweight, packedRows, outFeatures,
                "K * bits / 32 = " + packedRows + " packed rows, N = " + outFeatures + " columns");

        Tensor qzeros = tensors.required("qzeros");
        if ((long) outFeatures * bits % 32 != 0) {
            throw new InconsistentWeightsException(qzeros.file(), qzeros.name(), "N = " + outFeatures
                    + " cannot be packed at " + bits + " bits: N * bits must be a multiple of 32");
        }
        long zeroWords = (long) outFeatures * bits / 32;
        ModuleTensors.packedWords(qzeros, groups, zeroWords,
                groups + " groups (K = " + inFeatures + ", group size " + groupSize + "), N * bits / 32 = " + zeroWords);

        float[] scales = ModuleTensors.floats(tensors.required("scales"),
                groups + " groups, N = " + outFeatures, groups, outFeatures);
        // AutoGPTQ's v1 packer stores (zero - 1) masked to the bit width and its dequantizer adds 1 back
        // without re-masking, so a stored all-ones field means 2^bits, not 0.
        int offset = q.format() == CheckpointFormat.GPTQ_V1 ? 1 : 0;
        float[] zeros = new float[groups * outFeatures];
        for (int g = 0; g < groups; g++) {
            for (int n = 0; n < outFeatures; n++) {
                zeros[g * outFeatures + n] = PackedInts.get(qzeros.data(), g * zeroWords, 1, n, bits) + offset;
            }
        }
        int[] groupIndex = groupIndex(tensors, q, inFeatures, groupSize, groups);
        return new QuantizedLinear(tensors.module(), bits, inFeatures, outFeatures, groupSize, qweight.data(), scales,
                zeros, groupIndex, bias);
    }

    /**
     * The file's {@code g_idx}, or {@code null} when rows are grouped contiguously ({@code k / groupSize}),
     * which the kernels handle faster. The file wins over {@code desc_act}: its dequantizer always uses it.
     */
    private static int[] groupIndex(ModuleTensors tensors, LayerQuantization q, int inFeatures, int groupSize, int groups) {
        Tensor gIdx = q.descAct() ? tensors.required("g_idx") : tensors.optional("g_idx");
        if (gIdx == null) {
            return null;
        }
        if (gIdx.dtype() != DType.I32 && gIdx.dtype() != DType.I64) {
            throw new InconsistentWeightsException(gIdx.file(), gIdx.name(), "must be I32 or I64, found " + gIdx.dtype());
        }
        ModuleTensors.expectShape(gIdx, "one group per input row, K = " + inFeatures, inFeatures);
        int[] index = new int[inFeatures];
        boolean contiguous = true;
        for (int k = 0; k < inFeatures; k++) {
            long g = gIdx.getLong(k);
            if (g < 0 || g >= groups) {
                throw new InconsistentWeightsException(gIdx.file(), gIdx.name(), "value " + g + " at row " + k
                        + " is outside [0, " + groups + ") (K = " + inFeatures + ", group size " + groupSize + ")");
            }
            index[k] = (int) g;
            contiguous &= g == k / groupSize;
        }
        return contiguous ? null : index;
    }
}
