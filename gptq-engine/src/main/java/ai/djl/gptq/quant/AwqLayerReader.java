package ai.djl.gptq.quant;

import ai.djl.gptq.format.InconsistentWeightsException;
import ai.djl.gptq.format.UnsupportedCheckpointException;
import ai.djl.gptq.format.checkpoint.CheckpointFormat;
import ai.djl.gptq.format.checkpoint.LayerQuantization;
import ai.djl.gptq.format.safetensors.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Reads an AutoAWQ layer (4 bits, zeros stored as they are, {@code W = (q - z) * s}, {@code G = K / group_size})
 * and repacks its weights into the GPTQ layout of {@link QuantizedLinear}. The two layouts, as AutoAWQ's
 * {@code WQLinear_GEMM.from_linear} and {@code WQLinear_GEMV.from_linear} write them
 * ({@code awq/modules/linear/gemm.py}, {@code gemv.py}):
 *
 * <ul>
 *   <li>{@code gemm}: {@code qweight} int32 {@code [K, N/8]}, {@code qzeros} int32 {@code [G, N/8]}, both packed
 *       along N with nibble {@code i} of word {@code c} holding column {@code 8c + [0,2,4,6,1,3,5,7][i]};
 *       {@code scales} {@code [G, N]}.
 *   <li>{@code gemv}: transposed, out features first, natural nibble order. {@code qweight} int32
 *       {@code [N, K/8]}, nibble {@code i} of word {@code (n, c)} is {@code q[8c + i, n]} (so word {@code (n, c)}
 *       is exactly GPTQ's word {@code (c, n)}); {@code qzeros} int32 {@code [N, W]}, nibble {@code i} of word
 *       {@code (n, c)} is the zero of group {@code 8c + i}; {@code scales} {@code [N, 8W]}, element
 *       {@code (n, g)} the scale of group {@code g}. {@code W = calculate_zeros_width(K, group_size)} pads
 *       {@code ceil(G / 8)} up to a multiple of 1, 2 or 4 (group size >= 128, 64, 32); padding is zero and
 *       ignored here, so any {@code W >= ceil(G / 8)} is accepted.
 * </ul>
 */
final class AwqLayerReader {

    private static final int BITS = 4;
    private static final int[] GEMM_ORDER = {0, 2, 4, 6, 1, 3, 5, 7};

    private AwqLayerReader() {}

    static QuantizedLinear read(ModuleTensors tensors, LayerQuantization q, int inFeatures, int outFeatures, float[] bias) {
        Tensor qweight = tensors.required("qweight");
        if (q.bits() != BITS) {
            throw new UnsupportedCheckpointException(qweight.file(), qweight.name(),
                    "AWQ with " + q.bits() + " bits is not supported; supported: 4");
        }
        if (!q.zeroPoint()) {
            throw new UnsupportedCheckpointException(qweight.file(), qweight.name(),
                    "AWQ without zero point has no packed layout in AutoAWQ; supported: zero_point true");
        }
        int groupSize = q.groupSize() == -1 ? inFeatures : q.groupSize();
        if (inFeatures % groupSize != 0) {
            throw new InconsistentWeightsException(qweight.file(), qweight.name(),
                    "AWQ needs the group size to divide K: K = " + inFeatures + ", group size " + groupSize);
        }
        if (inFeatures % 8 != 0 || outFeatures % 8 != 0) {
            throw new InconsistentWeightsException(qweight.file(), qweight.name(),
                    "AWQ packs 8 values per word: K = " + inFeatures + " and N = " + outFeatures + " must be multiples of 8");
        }
        int groups = inFeatures / groupSize;
        float[] scales;
        float[] zeros = new float[groups * outFeatures];
        MemorySegment repacked;
        if (q.format() == CheckpointFormat.AWQ_GEMM) {
            int words = outFeatures / 8;
            ModuleTensors.packedWords(qweight, inFeatures, words, "gemm: K = " + inFeatures + ", N / 8 = " + words);
            Tensor qzeros = tensors.required("qzeros");
            ModuleTensors.packedWords(qzeros, groups, words, "gemm: " + groups + " groups, N / 8 = " + words);
            scales = ModuleTensors.floats(tensors.required("scales"), groups + " groups, N = " + outFeatures, groups,
                    outFeatures);
            MemorySegment z = qzeros.data();
            for (int g = 0; g < groups; g++) {
                for (int c = 0; c < words; c++) {
                    int word = z.getAtIndex(PackedInts.WORD, (long) g * words + c);
                    for (int i = 0; i < 8; i++) {
                        zeros[g * outFeatures + 8 * c + GEMM_ORDER[i]] = (word >>> (4 * i)) & 15;
                    }
                }
            }
            repacked = repackGemm(qweight.data(), inFeatures, outFeatures);
        } else {
            int words = inFeatures / 8;
            ModuleTensors.packedWords(qweight, outFeatures, words, "gemv: N = " + outFeatures + ", K / 8 = " + words);
            Tensor qzeros = tensors.required("qzeros");
            int minWidth = (groups + 7) / 8;
            if (qzeros.rank() != 2 || qzeros.dim(1) < minWidth) {
                throw new InconsistentWeightsException(qzeros.file(), qzeros.name(), "gemv zeros must be [N, W] with W >= "
                        + minWidth + " words for " + groups + " groups, found " + Arrays.toString(qzeros.shape()));
            }
            long width = qzeros.dim(1);
            ModuleTensors.packedWords(qzeros, outFeatures, width, "gemv: N = " + outFeatures + ", " + width + " zero words");
            float[] padded = ModuleTensors.floats(tensors.required("scales"),
                    "gemv: N = " + outFeatures + ", 8 * " + width + " scale columns", outFeatures, 8 * width);
            int scaleWidth = (int) (8 * width);
            scales = new float[groups * outFeatures];
            MemorySegment z = qzeros.data();
            for (int n = 0; n < outFeatures; n++) {
                for (int g = 0; g < groups; g++) {
                    int word = z.getAtIndex(PackedInts.WORD, n * width + g / 8);
                    zeros[g * outFeatures + n] = (word >>> (4 * (g % 8))) & 15;
                    scales[g * outFeatures + n] = padded[n * scaleWidth + g];
                }
            }
            repacked = repackGemv(qweight.data(), inFeatures, outFeatures);
        }
        return new QuantizedLinear(tensors.module(), BITS, inFeatures, outFeatures, groupSize, repacked, scales, zeros,
                null, bias);
    }

    /** GPTQ word {@code (r, n)}, nibble {@code j}, is {@code q[8r + j, n]}: gathered from 8 gemm rows at a time. */
    private static MemorySegment repackGemm(MemorySegment src, int inFeatures, int outFeatures) {
        int words = outFeatures / 8;
        MemorySegment dst = allocate(inFeatures, outFeatures);
        int[] row = new int[outFeatures];
        for (int r = 0; r < inFeatures / 8; r++) {
            Arrays.fill(row, 0);
            for (int j = 0; j < 8; j++) {
                long base = (long) (8 * r + j) * words;
                for (int c = 0; c < words; c++) {
                    int word = src.getAtIndex(PackedInts.WORD, base + c);
                    for (int i = 0; i < 8; i++) {
                        row[8 * c + GEMM_ORDER[i]] |= ((word >>> (4 * i)) & 15) << (4 * j);
                    }
                }
            }
            MemorySegment.copy(row, 0, dst, PackedInts.WORD, (long) r * outFeatures * 4, outFeatures);
        }
        return dst;
    }

    /** gemv's word {@code (n, c)} already is GPTQ's word {@code (c, n)}: a transpose of whole words. */
    private static MemorySegment repackGemv(MemorySegment src, int inFeatures, int outFeatures) {
        int words = inFeatures / 8;
        MemorySegment dst = allocate(inFeatures, outFeatures);
        int[] row = new int[outFeatures];
        for (int r = 0; r < words; r++) {
            for (int n = 0; n < outFeatures; n++) {
                row[n] = src.getAtIndex(PackedInts.WORD, (long) n * words + r);
            }
            MemorySegment.copy(row, 0, dst, PackedInts.WORD, (long) r * outFeatures * 4, outFeatures);
        }
        return dst;
    }

    /** Off-heap and cache-line aligned for the kernels; freed with the layer by the garbage collector. */
    private static MemorySegment allocate(int inFeatures, int outFeatures) {
        return Arena.ofAuto().allocate((long) inFeatures / 8 * outFeatures * 4, 64);
    }
}
