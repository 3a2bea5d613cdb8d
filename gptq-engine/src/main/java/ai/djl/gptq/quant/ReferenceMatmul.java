package ai.djl.gptq.quant;

/**
 * The scalar reference of {@code y = x W + b} that the fast kernels are tested against: one dequantized row
 * of {@code W} at a time (never all of {@code W}), accumulated in double so that its own rounding stays far
 * below any tolerance a test applies to a kernel.
 */
public final class ReferenceMatmul {

    private ReferenceMatmul() {}

    /**
     * Multiplies {@code rows} input vectors by the layer.
     *
     * @param x {@code [rows, K]} row-major
     * @param rows number of input vectors
     * @param w the layer
     * @return {@code y [rows, N]} row-major, bias added
     */
    public static float[] matmul(float[] x, int rows, QuantizedLinear w) {
        int inFeatures = w.inFeatures();
        int outFeatures = w.outFeatures();
        if (rows < 0 || x.length != (long) rows * inFeatures) {
            throw new IllegalArgumentException("x has " + x.length + " values, expected rows " + rows + " x K " + inFeatures);
        }
        double[] acc = new double[rows * outFeatures];
        float[] row = new float[outFeatures];
        for (int k = 0; k < inFeatures; k++) {
            w.dequantizeRow(k, row, 0);
            for (int r = 0; r < rows; r++) {
                double xk = x[r * inFeatures + k];
                int base = r * outFeatures;
                for (int n = 0; n < outFeatures; n++) {
                    acc[base + n] += xk * row[n];
                }
            }
        }
        float[] bias = w.bias();
        float[] y = new float[acc.length];
        for (int r = 0; r < rows; r++) {
            for (int n = 0; n < outFeatures; n++) {
                y[r * outFeatures + n] = (float) (acc[r * outFeatures + n] + (bias == null ? 0 : bias[n]));
            }
        }
        return y;
    }
}
