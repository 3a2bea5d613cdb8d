package ai.djl.gptq.quant;

/**
 * The whole dequantized weight of a small layer, for tests and cross-checks; the engine never builds it.
 */
public final class ReferenceDequantizer {

    private ReferenceDequantizer() {}

    /** {@code W} as {@code [K * N]} floats, row-major ({@code W[k, n]} at {@code k * N + n}). */
    public static float[] dequantize(QuantizedLinear w) {
        long size = (long) w.inFeatures() * w.outFeatures();
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(w + " has " + size + " weights, too many for one array");
        }
        float[] out = new float[(int) size];
        for (int k = 0; k < w.inFeatures(); k++) {
            w.dequantizeRow(k, out, k * w.outFeatures());
        }
        return out;
    }
}
