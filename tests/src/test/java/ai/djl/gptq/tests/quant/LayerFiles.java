package ai.djl.gptq.tests.quant;

import ai.djl.gptq.format.safetensors.DType;
import ai.djl.gptq.format.safetensors.SafetensorsWriter;

/**
 * Writes a {@link LayerFields} in the tensor layouts of each checkpoint format, packing with
 * {@link BitPacking}; the layouts are spelled out here from the formats' packers (AutoGPTQ
 * {@code QuantLinear.pack}, AutoAWQ {@code WQLinear_GEMM/GEMV.from_linear}), not taken from production code.
 */
final class LayerFiles {

    private static final int[] AWQ_ORDER = {0, 2, 4, 6, 1, 3, 5, 7};

    private LayerFiles() {}

    /** GPTQ: qweight {@code [K*bits/32, N]} packed along K, qzeros {@code [G, N*bits/32]} along N; v1 stores zero - 1. */
    static void gptq(SafetensorsWriter out, String module, LayerFields f, boolean v2, DType floatType, boolean withGroupIndex) {
        int k0 = f.inFeatures();
        int n0 = f.outFeatures();
        int mask = (1 << f.bits()) - 1;
        int packedRows = k0 * f.bits() / 32;
        int[] qweight = new int[packedRows * n0];
        for (int n = 0; n < n0; n++) {
            int[] column = new int[k0];
            for (int k = 0; k < k0; k++) {
                column[k] = f.q()[k][n];
            }
            int[] words = BitPacking.pack(column, f.bits());
            for (int r = 0; r < packedRows; r++) {
                qweight[r * n0 + n] = words[r];
            }
        }
        int zeroWords = n0 * f.bits() / 32;
        int[] qzeros = new int[f.groups() * zeroWords];
        for (int g = 0; g < f.groups(); g++) {
            int[] stored = new int[n0];
            for (int n = 0; n < n0; n++) {
                stored[n] = v2 ? f.zeros()[g][n] : (f.zeros()[g][n] - 1) & mask;
            }
            System.arraycopy(BitPacking.pack(stored, f.bits()), 0, qzeros, g * zeroWords, zeroWords);
        }
        out.addInts(module + ".qweight", new long[] {packedRows, n0}, qweight);
        out.addInts(module + ".qzeros", new long[] {f.groups(), zeroWords}, qzeros);
        out.addFloats(module + ".scales", floatType, new long[] {f.groups(), n0}, flatScales(f));
        if (withGroupIndex) {
            int[] gIdx = new int[k0];
            for (int k = 0; k < k0; k++) {
                gIdx[k] = f.group(k);
            }
            out.addInts(module + ".g_idx", new long[] {k0}, gIdx);
        }
        bias(out, module, f, floatType);
    }

    /** AWQ gemm: qweight {@code [K, N/8]}, qzeros {@code [G, N/8]}, nibble i of word c = column 8c + AWQ_ORDER[i]. */
    static void awqGemm(SafetensorsWriter out, String module, LayerFields f, DType floatType) {
        int k0 = f.inFeatures();
        int n0 = f.outFeatures();
        int words = n0 / 8;
        int[] qweight = new int[k0 * words];
        for (int k = 0; k < k0; k++) {
            for (int c = 0; c < words; c++) {
                qweight[k * words + c] = interleaved(f.q()[k], c);
            }
        }
        int[] qzeros = new int[f.groups() * words];
        for (int g = 0; g < f.groups(); g++) {
            for (int c = 0; c < words; c++) {
                qzeros[g * words + c] = interleaved(f.zeros()[g], c);
            }
        }
        out.addInts(module + ".qweight", new long[] {k0, words}, qweight);
        out.addInts(module + ".qzeros", new long[] {f.groups(), words}, qzeros);
        out.addFloats(module + ".scales", floatType, new long[] {f.groups(), n0}, flatScales(f));
        bias(out, module, f, floatType);
    }

    /**
     * AWQ gemv: qweight {@code [N, K/8]} with nibble i of word (n, c) = q[8c + i][n]; qzeros {@code [N, W]} with
     * nibble i of word (n, c) = zero of group 8c + i; scales {@code [N, 8W]}; W = AutoAWQ's
     * {@code calculate_zeros_width}, the padding left zero.
     */
    static void awqGemv(SafetensorsWriter out, String module, LayerFields f, DType floatType) {
        int k0 = f.inFeatures();
        int n0 = f.outFeatures();
        int words = k0 / 8;
        int[] qweight = new int[n0 * words];
        for (int n = 0; n < n0; n++) {
            int[] column = new int[k0];
            for (int k = 0; k < k0; k++) {
                column[k] = f.q()[k][n];
            }
            System.arraycopy(BitPacking.pack(column, 4), 0, qweight, n * words, words);
        }
        int width = zerosWidth(k0, f.groupSize());
        int[] qzeros = new int[n0 * width];
        float[] scales = new float[n0 * width * 8];
        for (int n = 0; n < n0; n++) {
            int[] padded = new int[width * 8];
            for (int g = 0; g < f.groups(); g++) {
                padded[g] = f.zeros()[g][n];
                scales[n * width * 8 + g] = f.scales()[g][n];
            }
            System.arraycopy(BitPacking.pack(padded, 4), 0, qzeros, n * width, width);
        }
        out.addInts(module + ".qweight", new long[] {n0, words}, qweight);
        out.addInts(module + ".qzeros", new long[] {n0, width}, qzeros);
        out.addFloats(module + ".scales", floatType, new long[] {n0, width * 8L}, scales);
        bias(out, module, f, floatType);
    }

    /** AutoAWQ {@code gemv.calculate_zeros_width}. */
    static int zerosWidth(int inFeatures, int groupSize) {
        int multiplier = groupSize >= 128 ? 1 : groupSize == 64 ? 2 : groupSize == 32 ? 4 : 0;
        if (multiplier == 0) {
            throw new IllegalArgumentException("AutoAWQ gemv has no layout for group size " + groupSize);
        }
        int base = (inFeatures / groupSize + 7) / 8;
        return (base + multiplier - 1) / multiplier * multiplier;
    }

    private static int interleaved(int[] row, int c) {
        int[] nibbles = new int[8];
        for (int i = 0; i < 8; i++) {
            nibbles[i] = row[8 * c + AWQ_ORDER[i]];
        }
        return BitPacking.pack(nibbles, 4)[0];
    }

    private static float[] flatScales(LayerFields f) {
        int n0 = f.outFeatures();
        float[] flat = new float[f.groups() * n0];
        for (int g = 0; g < f.groups(); g++) {
            System.arraycopy(f.scales()[g], 0, flat, g * n0, n0);
        }
        return flat;
    }

    private static void bias(SafetensorsWriter out, String module, LayerFields f, DType floatType) {
        if (f.bias() != null) {
            out.addFloats(module + ".bias", floatType, new long[] {f.outFeatures()}, f.bias());
        }
    }
}
