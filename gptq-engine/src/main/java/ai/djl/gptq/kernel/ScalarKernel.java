package ai.djl.gptq.kernel;

import java.util.Arrays;

/**
 * The plain scalar kernels: the reference the vector kernels are tested against, and the fallback when the
 * {@code jdk.incubator.vector} module is absent. Quantized: per group, {@code acc = sum x_i q_i}, then
 * {@code y += s * acc - s * z * sum x_i}. Dense: one dot product per output.
 */
final class ScalarKernel implements MatmulKernel {

    static final ScalarKernel INSTANCE = new ScalarKernel();

    private static final MatmulJob.Part QUANTIZED = ScalarKernel::quantizedTiles;
    private static final MatmulJob.Part DENSE = ScalarKernel::denseColumns;

    @Override
    public void matmul(float[] x, int rows, PackedMatrix w, float[] y) {
        KernelInput.checkShapes(x, rows, w.inFeatures, y, w.outFeatures);
        Scratch scratch = Scratch.get();
        float[] sums = scratch.groupSums(rows * w.numGroups);
        float[] xp = KernelInput.prepare(x, rows, w, scratch, sums);
        scratch.job.runQuantized(QUANTIZED, w.tiles, xp, rows, w, y, sums, null, null);
    }

    private static void quantizedTiles(MatmulJob job, int from, int to) {
        for (int t = from; t < to; t++) {
            for (int r = 0; r < job.rows; r++) {
                tile(job.x, r, job.groupSums, job.packed, t, job.y);
            }
        }
    }

    private static void tile(float[] xp, int r, float[] sums, PackedMatrix w, int t, float[] y) {
        Scratch scratch = Scratch.get();
        float[] acc = scratch.acc(w.tile);
        float[] out = scratch.out(w.tile);
        Arrays.fill(out, 0, w.tile, 0f);
        int k = w.inFeatures;
        int n0 = t * w.tile;
        int width = Math.min(w.tile, w.outFeatures - n0);
        int i = 0;
        while (i < k) {
            int g = w.group(i);
            Arrays.fill(acc, 0, w.tile, 0f);
            for (; i < k && w.group(i) == g; i++) {
                float xi = xp[r * k + i];
                for (int c = 0; c < width; c++) {
                    acc[c] += xi * w.value(i, n0 + c);
                }
            }
            float xs = sums[r * w.numGroups + g];
            int sg = (t * w.numGroups + g) * w.tile;
            for (int c = 0; c < width; c++) {
                out[c] += w.scale(sg + c) * acc[c] - w.scaledZero(sg + c) * xs;
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
        Scratch.get().job.runDense(DENSE, x, rows, w, y, 64);
    }

    private static void denseColumns(MatmulJob job, int from, int to) {
        DenseMatrix w = job.dense;
        float[] x = job.x;
        int k = w.cols;
        for (int n = from; n < to; n++) {
            for (int r = 0; r < job.rows; r++) {
                float sum = 0f;
                for (int i = 0; i < k; i++) {
                    sum += x[r * k + i] * w.get(n, i);
                }
                job.y[r * w.rows + n] = sum;
            }
        }
    }
}
