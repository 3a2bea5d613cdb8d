package ai.djl.gptq.quant;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The one in-memory form of a quantized linear layer, whatever checkpoint format it came from (GPTQ v1/v2,
 * AWQ gemm/gemv): a logical weight {@code W} of shape {@code [K, N]} (in features, out features) with
 * {@code y = x W + b} and
 *
 * <pre>W[k, n] = (q[k, n] - zeros[g, n]) * scales[g, n],   g = groupIndex[k]</pre>
 *
 * <p>{@code qweight} holds little-endian int32 words {@code [K * bits / 32, N]} packed along K exactly as
 * GPTQ stores them: for 2, 4 and 8 bits value {@code j} of word {@code (r, n)} is row {@code r * (32 / bits)
 * + j} at bit offset {@code bits * j}; for 3 bits every 3 consecutive words of a column form one
 * little-endian 96-bit stream of 32 values. It may be a zero-copy view of a mapped file. {@code zeros} are the
 * real zero points (the GPTQ v1 "minus one" already undone) as floats, {@code scales} are floats (from fp16
 * or bf16). {@code groupIndex} is {@code null} when groups are contiguous ({@code g = k / groupSize}).
 */
public final class QuantizedLinear {

    private final String name;
    private final int bits;
    private final int inFeatures;
    private final int outFeatures;
    private final int groupSize;
    private final int numGroups;
    private final MemorySegment qweight;
    private final float[] scales;
    private final float[] zeros;
    private final int[] groupIndex;
    private final float[] bias;

    /**
     * Creates a layer; the readers validate shapes and values against the file before calling this, so
     * violations here are programming errors.
     */
    public QuantizedLinear(
            String name,
            int bits,
            int inFeatures,
            int outFeatures,
            int groupSize,
            MemorySegment qweight,
            float[] scales,
            float[] zeros,
            int[] groupIndex,
            float[] bias) {
        this.name = Objects.requireNonNull(name);
        if (bits != 2 && bits != 3 && bits != 4 && bits != 8) {
            throw new IllegalArgumentException(name + ": bits " + bits);
        }
        if (inFeatures <= 0 || outFeatures <= 0 || groupSize <= 0) {
            throw new IllegalArgumentException(name + ": K=" + inFeatures + " N=" + outFeatures + " group=" + groupSize);
        }
        this.bits = bits;
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.groupSize = groupSize;
        this.qweight = Objects.requireNonNull(qweight);
        this.scales = Objects.requireNonNull(scales);
        this.zeros = Objects.requireNonNull(zeros);
        this.groupIndex = groupIndex;
        this.bias = bias;
        this.numGroups = scales.length / outFeatures;
        if ((long) inFeatures * bits % 32 != 0) {
            throw new IllegalArgumentException(name + ": K=" + inFeatures + " not packable at " + bits + " bits");
        }
        if (qweight.byteSize() != (long) inFeatures * bits / 32 * outFeatures * 4) {
            throw new IllegalArgumentException(name + ": qweight has " + qweight.byteSize() + " bytes");
        }
        if (scales.length != (long) numGroups * outFeatures || zeros.length != scales.length) {
            throw new IllegalArgumentException(name + ": scales/zeros length");
        }
        if (groupIndex == null ? (long) numGroups * groupSize < inFeatures : groupIndex.length != inFeatures) {
            throw new IllegalArgumentException(name + ": groups do not cover K");
        }
        if (bias != null && bias.length != outFeatures) {
            throw new IllegalArgumentException(name + ": bias length");
        }
    }

    /** The module name, e.g. {@code model.layers.0.self_attn.q_proj}. */
    public String name() {
        return name;
    }

    public int bits() {
        return bits;
    }

    /** K: rows of the logical weight, the length of an input vector. */
    public int inFeatures() {
        return inFeatures;
    }

    /** N: columns of the logical weight, the length of an output vector. */
    public int outFeatures() {
        return outFeatures;
    }

    /** Rows per group (K when the checkpoint says {@code group_size: -1}). */
    public int groupSize() {
        return groupSize;
    }

    public int numGroups() {
        return numGroups;
    }

    /** Packed words {@code [K * bits / 32, N]}, little-endian int32. */
    public MemorySegment qweight() {
        return qweight;
    }

    /** Row count of {@link #qweight()}. */
    public int packedRows() {
        return inFeatures * bits / 32;
    }

    /** {@code [G, N]} row-major. Shared, not copied: do not modify. */
    public float[] scales() {
        return scales;
    }

    /** {@code [G, N]} row-major real zero points. Shared, not copied: do not modify. */
    public float[] zeros() {
        return zeros;
    }

    /** {@code [K]} group of each input row, or {@code null} when {@code g = k / groupSize}. */
    public int[] groupIndex() {
        return groupIndex;
    }

    /** {@code [N]} or {@code null}. */
    public float[] bias() {
        return bias;
    }

    /** The group of input row {@code k}. */
    public int group(int k) {
        return groupIndex == null ? k / groupSize : groupIndex[k];
    }

    /** The packed word at packed row {@code r}, column {@code n}. */
    public int word(int r, int n) {
        return qweight.getAtIndex(PackedInts.WORD, (long) r * outFeatures + n);
    }

    /** The unsigned quantized value {@code q[k, n]}. */
    public int quantValue(int k, int n) {
        return PackedInts.get(qweight, n, outFeatures, k, bits);
    }

    /** The dequantized weight {@code W[k, n]}. */
    public float weight(int k, int n) {
        int g = group(k);
        int i = g * outFeatures + n;
        return (quantValue(k, n) - zeros[i]) * scales[i];
    }

    /** Writes row {@code k} of the dequantized weight, {@code W[k, 0..N)}, to {@code dst[off..off+N)}. */
    public void dequantizeRow(int k, float[] dst, int off) {
        int base = group(k) * outFeatures;
        for (int n = 0; n < outFeatures; n++) {
            dst[off + n] = (PackedInts.get(qweight, n, outFeatures, k, bits) - zeros[base + n]) * scales[base + n];
        }
    }

    /** Bytes of packed weights, scales and zeros: what one matmul reads. */
    public long bytesRead() {
        return qweight.byteSize() + (long) scales.length * 2 + (long) zeros.length * bits / 8 + (bias == null ? 0 : bias.length * 2L);
    }

    @Override
    public String toString() {
        return name + " int" + bits + " [" + inFeatures + ", " + outFeatures + "] group " + groupSize + (groupIndex != null ? " g_idx" : "");
    }
}
