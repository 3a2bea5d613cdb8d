package ai.djl.gptq.tests.quant;

import ai.djl.gptq.format.safetensors.Tensor;
import ai.djl.gptq.format.safetensors.TensorSource;

/**
 * A quantized layer as plain integers and floats, the test's own model of {@code W[k, n] = (q[k, n] - z[g, n])
 * * s[g, n]}: read from a fixture with {@link BitPacking}, re-quantized to other bit widths and groupings,
 * then written in each checkpoint layout and compared with what the production reader builds.
 *
 * @param bits bit width of {@code q}
 * @param groupSize rows per group ({@code K} for one group)
 * @param q {@code [K][N]} unsigned values
 * @param zeros {@code [G][N]} real zero points (not the GPTQ v1 stored form)
 * @param scales {@code [G][N]}
 * @param groupIndex {@code [K]} or {@code null} for {@code k / groupSize}
 * @param bias {@code [N]} or {@code null}
 */
record LayerFields(int bits, int groupSize, int[][] q, int[][] zeros, float[][] scales, int[] groupIndex, float[] bias) {

    int inFeatures() {
        return q.length;
    }

    int outFeatures() {
        return q[0].length;
    }

    int groups() {
        return scales.length;
    }

    int group(int k) {
        return groupIndex == null ? k / groupSize : groupIndex[k];
    }

    /** Reads a GPTQ v1 4-bit layer of a fixture, unpacking each word bit by bit. */
    static LayerFields fromGptqV1Int4(TensorSource source, String module, int inFeatures, int outFeatures, int groupSize) {
        int[] qweight = source.tensor(module + ".qweight").toIntArray();
        int[] qzeros = source.tensor(module + ".qzeros").toIntArray();
        Tensor scaleTensor = source.tensor(module + ".scales");
        int groups = (int) scaleTensor.dim(0);
        float[] flatScales = scaleTensor.toFloatArray();
        int packedRows = inFeatures / 8;
        int[][] q = new int[inFeatures][outFeatures];
        for (int n = 0; n < outFeatures; n++) {
            int[] column = new int[packedRows];
            for (int r = 0; r < packedRows; r++) {
                column[r] = qweight[r * outFeatures + n];
            }
            int[] values = BitPacking.unpack(column, inFeatures, 4);
            for (int k = 0; k < inFeatures; k++) {
                q[k][n] = values[k];
            }
        }
        int[][] zeros = new int[groups][];
        float[][] scales = new float[groups][outFeatures];
        for (int g = 0; g < groups; g++) {
            int[] row = new int[outFeatures / 8];
            System.arraycopy(qzeros, g * row.length, row, 0, row.length);
            zeros[g] = BitPacking.unpack(row, outFeatures, 4);
            for (int n = 0; n < outFeatures; n++) {
                zeros[g][n] += 1; // v1 stores zero - 1
                scales[g][n] = flatScales[g * outFeatures + n];
            }
        }
        int[] groupIndex = source.tensor(module + ".g_idx").toIntArray();
        return new LayerFields(4, groupSize, q, zeros, scales, groupIndex, null);
    }

    /**
     * The same layer at {@code targetBits}: values and zeros scaled from the 4-bit range onto the target range;
     * zeros land in {@code [zeroBase, zeroBase + 2^bits - 1]} (GPTQ v1 can store 1..2^bits, the others 0..2^bits-1).
     */
    LayerFields requantize(int targetBits, int zeroBase) {
        int max = (1 << targetBits) - 1;
        int srcMax = (1 << bits) - 1;
        int[][] q2 = new int[q.length][q[0].length];
        for (int k = 0; k < q.length; k++) {
            for (int n = 0; n < q[0].length; n++) {
                q2[k][n] = Math.round((float) q[k][n] * max / srcMax);
            }
        }
        int[][] z2 = new int[zeros.length][zeros[0].length];
        for (int g = 0; g < zeros.length; g++) {
            for (int n = 0; n < zeros[0].length; n++) {
                int field = Math.clamp(zeros[g][n] - 1, 0, srcMax);
                z2[g][n] = zeroBase + Math.round((float) field * max / srcMax);
            }
        }
        return new LayerFields(targetBits, groupSize, q2, z2, scales, groupIndex, bias);
    }

    /** Regroups to {@code newGroupSize} ({@code newGroups} groups) reusing the existing groups' scales and zeros cyclically. */
    LayerFields regroup(int newGroupSize, int newGroups, int[] newGroupIndex) {
        int[][] z2 = new int[newGroups][];
        float[][] s2 = new float[newGroups][];
        for (int g = 0; g < newGroups; g++) {
            z2[g] = zeros[g % zeros.length].clone();
            s2[g] = scales[g % scales.length].clone();
        }
        return new LayerFields(bits, newGroupSize, q, z2, s2, newGroupIndex, bias);
    }

    /** Rounds scales and bias to bfloat16 precision (truncation of fp16 values is exact), so any writer keeps them as is. */
    LayerFields bf16Exact() {
        float[][] s2 = new float[scales.length][];
        for (int g = 0; g < scales.length; g++) {
            s2[g] = new float[scales[g].length];
            for (int n = 0; n < s2[g].length; n++) {
                s2[g][n] = truncateToBf16(scales[g][n]);
            }
        }
        float[] b2 = null;
        if (bias != null) {
            b2 = new float[bias.length];
            for (int n = 0; n < b2.length; n++) {
                b2[n] = truncateToBf16(bias[n]);
            }
        }
        return new LayerFields(bits, groupSize, q, zeros, s2, groupIndex, b2);
    }

    LayerFields withBias(float[] newBias) {
        return new LayerFields(bits, groupSize, q, zeros, scales, groupIndex, newBias);
    }

    /** {@code W} as {@code [K * N]}: the expected output of the reference dequantizer. */
    float[] dequantize() {
        int n0 = outFeatures();
        float[] w = new float[inFeatures() * n0];
        for (int k = 0; k < inFeatures(); k++) {
            int g = group(k);
            for (int n = 0; n < n0; n++) {
                w[k * n0 + n] = (q[k][n] - zeros[g][n]) * scales[g][n];
            }
        }
        return w;
    }

    private static float truncateToBf16(float f) {
        return Float.intBitsToFloat(Float.floatToRawIntBits(f) & 0xffff0000);
    }
}
