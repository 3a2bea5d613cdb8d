package ai.djl.gptq.model;

import ai.djl.gptq.kernel.DenseMatrix;
import ai.djl.gptq.kernel.MatmulKernel;
import ai.djl.gptq.kernel.PackedMatrix;

/**
 * A linear layer in kernel form: packed (bias applied by the kernel) or dense in its stored precision (bias
 * added here, since a dense matrix carries none).
 */
final class FusedLinear {

    private final PackedMatrix packed;
    private final DenseMatrix dense;
    private final float[] denseBias;
    private final int outFeatures;

    private FusedLinear(PackedMatrix packed, DenseMatrix dense, float[] denseBias, int outFeatures) {
        this.packed = packed;
        this.dense = dense;
        this.denseBias = denseBias;
        this.outFeatures = outFeatures;
    }

    static FusedLinear of(CheckpointLinear w) {
        if (w.quantized() != null) {
            return new FusedLinear(PackedMatrix.pack(w.quantized()), null, null, w.outFeatures());
        }
        return new FusedLinear(null, DenseMatrix.of(w.dense()), w.denseBias(), w.outFeatures());
    }

    /** An unbiased dense layer over a matrix already in kernel form (the tied embedding). */
    static FusedLinear of(DenseMatrix weight, int outFeatures) {
        return new FusedLinear(null, weight, null, outFeatures);
    }

    int outFeatures() {
        return outFeatures;
    }

    /** {@code y[rows, N] = x[rows, K] W + b}. */
    void apply(MatmulKernel kernel, float[] x, int rows, float[] y) {
        if (packed != null) {
            kernel.matmul(x, rows, packed, y);
            return;
        }
        kernel.matmul(x, rows, dense, y);
        if (denseBias != null) {
            for (int r = 0; r < rows; r++) {
                int base = r * outFeatures;
                for (int n = 0; n < outFeatures; n++) {
                    y[base + n] += denseBias[n];
                }
            }
        }
    }
}
