package ai.djl.gptq.kernel;

/**
 * The plain scalar kernels: the reference the vector kernels are tested against, and the fallback when the
 * {@code jdk.incubator.vector} module is absent. Quantized: per group, {@code acc = sum x_i q_i}, then
 * {@code y += s * acc - s * z * sum x_i}. Dense: one dot product per output.
 */
final class ScalarKernel implements MatmulKernel {

    static final ScalarKernel INSTANCE = new ScalarKernel();

    @Override
    public void matmul(float[] x, int rows, PackedMatrix w, float[] y) {
        KernelInput.checkShapes(x, rows, w.inFeatures, y, w.outFeatures);
        Scratch scratch = Scratch.get();
        float[] sums = scratch.groupSums(rows * w.numGroups);
        float[] xp = KernelInput.prepare(x, rows, w, scratch, sums);
        ComputePool.shared().run(w.tiles, 1, (from, to) -> {
            for (int t = from; t < to; t++) {
                for (int r = 0; r < rows; r++) {
                    tile(xp, r, sums, w, t, y);
                }
            }
        });
    }

    private static void tile(float[] xp, int r, float[] sums, PackedMatrix w, int t, float[] y) {
        Scratch scratch = Scratch.get();
        float[] acc = scratch.acc;
        float[] out = scratch.out;
        java.util.Arrays.fill(out, 0f);
        int k = w.inFeatures;
        int n0 = t * PackedMatrix.TILE;
        int width = Math.min(PackedMatrix.TILE, w.outFeatures - n0);
        int i = 0;
        while (i < k) {
            int g = w.group(i);
            java.util.Arrays.fill(acc, 0f);
            for (; i < k && w.group(i) == g; i++) {
                float xi = xp[r * k + i];
                for (int c = 0; c < width; c++) {
                    acc[c] += xi * w.value(i, n0 + c);
                }
            }
            float xs = sums[r * w.numGroups + g];
            int sg = (t * w.numGroups + g) * PackedMatrix.TILE;
            for (int c = 0; c < width; c++) {
                out[c] += w.scales[sg + c] * acc[c] - w.scaledZeros[sg + c] * xs;
            }
        }
        int yb = r * w.outFeatures + n0;
        for (int c = 0; c < width; c++) {
            y[yb + c] = out[c] + (w.bias == null ? 0f : w.bias[n0 + c]);
        }
    }

    @Override
    public void matmul(float[] x, int rows, DenseMatrix w, float[] y) {
        KernelInput.checkShapes(x, rows, w.cols, y, w.rows);
        int k = w.cols;
        ComputePool.shared().run(w.rows, 64, (from, to) -> {
            for (int n = from; n < to; n++) {
                for (int r = 0; r < rows; r++) {
                    float sum = 0f;
                    for (int i = 0; i < k; i++) {
                        sum += x[r * k + i] * w.get(n, i);
                    }
                    y[r * w.rows + n] = sum;
                }
            }
        });
    }
}
