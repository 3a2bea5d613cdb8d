package ai.djl.gptq.kernel;

import java.util.Arrays;

/**
 * The input side of a quantized matmul, prepared once per call on the caller's thread and then only read by
 * the workers: the rows of {@code x} in the weight's (act-order) row order, and their sums per group.
 */
final class KernelInput {

    private KernelInput() {}

    /** Returns {@code x} or its permuted copy; fills {@code sums[r * G + g]}. */
    static float[] prepare(float[] x, int rows, PackedMatrix w, Scratch scratch, float[] sums) {
        int k = w.inFeatures;
        float[] xp = x;
        if (w.inputOrder != null) {
            xp = scratch.input(rows * k);
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < k; i++) {
                    xp[r * k + i] = x[r * k + w.inputOrder[i]];
                }
            }
        }
        int groups = w.numGroups;
        Arrays.fill(sums, 0, rows * groups, 0f);
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < k; i++) {
                sums[r * groups + w.group(i)] += xp[r * k + i];
            }
        }
        return xp;
    }

    /**
     * For the vector kernel at 2, 4 and 8 bits: the permuted input with row {@code i} multiplied by
     * {@code 2^(-bits * (i mod valuesPerWord))}, so that a value masked in place (not shifted down) times its
     * input gives the right product; exact, since it only changes exponents (for inputs above 2^-96 in
     * magnitude). Requires groups aligned to units. Fills the group sums of the unscaled input and
     * {@code tops[r * G + g]}, the sums over the rows held in the top bits of their words.
     */
    static float[] prepareScaled(float[] x, int rows, PackedMatrix w, Scratch scratch, float[] sums, float[] tops) {
        int k = w.inFeatures;
        int perWord = w.unitRows;
        int groups = w.numGroups;
        int[] order = w.inputOrder;
        float[] scale = w.valueScales;
        float[] xs = scratch.input(rows * k);
        Arrays.fill(sums, 0, rows * groups, 0f);
        Arrays.fill(tops, 0, rows * groups, 0f);
        for (int r = 0; r < rows; r++) {
            int o = r * k;
            for (int u = 0; u < w.units; u++) {
                int g = r * groups + w.unitGroup[u];
                int p = u * perWord;
                float sum = 0f;
                float v = 0f;
                for (int j = 0; j < perWord; j++) {
                    v = x[o + (order == null ? p + j : order[p + j])];
                    xs[o + p + j] = v * scale[j];
                    sum += v;
                }
                sums[g] += sum;
                // v is now the input of the word's top value.
                tops[g] += v;
            }
        }
        return xs;
    }

    static void checkShapes(float[] x, int rows, int k, float[] y, int n) {
        if (rows < 1 || (long) rows * k > x.length || (long) rows * n > y.length) {
            throw new IllegalArgumentException("matmul of " + rows + " rows: x has " + x.length + " values for K=" + k
                    + ", y has " + y.length + " for N=" + n);
        }
    }
}
