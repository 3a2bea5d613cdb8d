package ai.djl.gptq.kernel;

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
            xp = scratch.permuted(rows * k);
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < k; i++) {
                    xp[r * k + i] = x[r * k + w.inputOrder[i]];
                }
            }
        }
        int groups = w.numGroups;
        java.util.Arrays.fill(sums, 0, rows * groups, 0f);
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < k; i++) {
                sums[r * groups + w.group(i)] += xp[r * k + i];
            }
        }
        return xp;
    }

    static void checkShapes(float[] x, int rows, int k, float[] y, int n) {
        if (rows < 1 || (long) rows * k > x.length || (long) rows * n > y.length) {
            throw new IllegalArgumentException("matmul of " + rows + " rows: x has " + x.length + " values for K=" + k
                    + ", y has " + y.length + " for N=" + n);
        }
    }
}
