package ai.djl.gptq.model;

import java.util.Arrays;

/**
 * The keys and values of one sequence for every layer, preallocated for {@code capacity} tokens and written in
 * place: appending a token writes {@code 2 * kvHeads * headDim} values per layer, attending reads each cached
 * position once, nothing is ever copied or grown. Stored in fp16 ({@code short} bits) by default, in fp32 for
 * fp32 activations.
 *
 * <p>Keys are stored transposed, {@code [head][headDim][capacity]}, values as written, {@code [head][capacity]
 * [headDim]}: then both attention loops (the scores of all positions, the weighted sum of values) run over
 * contiguous memory without a reduction in their inner loop, which the JIT vectorizes, fp16 conversion included.
 */
public final class KvCache {

    private final int layers;
    private final int kvHeads;
    private final int headDim;
    private final int capacity;
    private final short[][] keys16;
    private final short[][] values16;
    private final float[][] keys32;
    private final float[][] values32;

    /**
     * @throws IllegalArgumentException when a layer's cache would not fit a Java array
     */
    public KvCache(int layers, int kvHeads, int headDim, int capacity, ActivationPrecision precision) {
        long perLayer = (long) kvHeads * capacity * headDim;
        if (capacity < 1 || perLayer > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a KV cache of " + capacity + " tokens x " + kvHeads + " heads x "
                    + headDim + " does not fit one array per layer");
        }
        this.layers = layers;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.capacity = capacity;
        if (precision == ActivationPrecision.FP16) {
            keys16 = new short[layers][(int) perLayer];
            values16 = new short[layers][(int) perLayer];
            keys32 = null;
            values32 = null;
        } else {
            keys32 = new float[layers][(int) perLayer];
            values32 = new float[layers][(int) perLayer];
            keys16 = null;
            values16 = null;
        }
    }

    /** Tokens the cache holds. */
    public int capacity() {
        return capacity;
    }

    /** Bytes held by keys and values of all layers. */
    public long bytes() {
        return 2L * layers * kvHeads * capacity * headDim * (keys16 != null ? 2 : 4);
    }

    /**
     * Stores the key and value of the token at {@code position} for all heads of layer {@code layer}, read from
     * {@code k[kOff..kOff + kvHeads * headDim)} and {@code v[vOff..]} (head-major, as projections produce them).
     */
    public void write(int layer, int position, float[] k, int kOff, float[] v, int vOff) {
        for (int h = 0; h < kvHeads; h++) {
            int keyBase = h * headDim * capacity + position;
            int valueBase = (h * capacity + position) * headDim;
            int src = h * headDim;
            if (keys16 != null) {
                short[] kd = keys16[layer];
                short[] vd = values16[layer];
                for (int i = 0; i < headDim; i++) {
                    kd[keyBase + i * capacity] = Float.floatToFloat16(k[kOff + src + i]);
                    vd[valueBase + i] = Float.floatToFloat16(v[vOff + src + i]);
                }
            } else {
                float[] kd = keys32[layer];
                for (int i = 0; i < headDim; i++) {
                    kd[keyBase + i * capacity] = k[kOff + src + i];
                }
                System.arraycopy(v, vOff + src, values32[layer], valueBase, headDim);
            }
        }
    }

    /**
     * Writes to {@code scores[from..to]} the dot products of {@code q[qOff..qOff + headDim)} with the keys of
     * {@code head} at positions {@code from..to} (inclusive); each sum runs over the head dimension in order.
     */
    public void dotKeys(int layer, int head, int from, int to, float[] q, int qOff, float[] scores) {
        Arrays.fill(scores, from, to + 1, 0f);
        int base = head * headDim * capacity;
        if (keys16 != null) {
            short[] kd = keys16[layer];
            for (int i = 0; i < headDim; i++) {
                float qi = q[qOff + i];
                int row = base + i * capacity;
                for (int j = from; j <= to; j++) {
                    scores[j] += qi * Float.float16ToFloat(kd[row + j]);
                }
            }
        } else {
            float[] kd = keys32[layer];
            for (int i = 0; i < headDim; i++) {
                float qi = q[qOff + i];
                int row = base + i * capacity;
                for (int j = from; j <= to; j++) {
                    scores[j] += qi * kd[row + j];
                }
            }
        }
    }

    /** Adds {@code weight} times the value of {@code head} at {@code position} to {@code acc[off..off + headDim)}. */
    public void addValue(int layer, int head, int position, float weight, float[] acc, int off) {
        int base = (head * capacity + position) * headDim;
        if (values16 != null) {
            short[] vd = values16[layer];
            for (int i = 0; i < headDim; i++) {
                acc[off + i] += weight * Float.float16ToFloat(vd[base + i]);
            }
        } else {
            float[] vd = values32[layer];
            for (int i = 0; i < headDim; i++) {
                acc[off + i] += weight * vd[base + i];
            }
        }
    }
}
