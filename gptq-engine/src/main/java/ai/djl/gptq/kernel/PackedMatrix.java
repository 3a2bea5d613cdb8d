package ai.djl.gptq.kernel;

import ai.djl.gptq.quant.QuantizedLinear;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A quantized weight repacked once, at load, for the kernels. Columns are cut into tiles of {@link #tile}
 * columns (four float vectors) and each tile's packed words are stored contiguously, unit after unit down K, so
 * every thread streams its own contiguous block of memory. A unit is the smallest run of rows that fills whole
 * words: one word of 32/bits values, or three words of 32 values at 3 bits. With act-order ({@code desc_act})
 * the rows are permuted once so that groups are contiguous, and the input is permuted the same way at run time.
 *
 * <p>At 2, 4 and 8 bits the highest bit of every word is stored inverted: the vector kernel then converts the
 * top value of a word with one masked signed conversion, which yields {@code q - 2^(bits-1)}, and adds the
 * missing {@code 2^(bits-1) * sum x} once per group. Memory stays at packed size (plus tile padding); scales and
 * zero points are kept per tile and group, as fp16 and bytes where that is exact.
 */
public final class PackedMatrix {

    private static final ValueLayout.OfInt WORD = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    final int bits;
    final int inFeatures;
    final int outFeatures;
    /** Columns per tile. */
    final int tile;
    final int tiles;
    final int unitRows;
    final int wordsPerUnit;
    final int units;
    final int numGroups;
    /** {@code 2^(-bits * j)} for value {@code j} of a word: the vector kernel's input scaling (2, 4 and 8 bits). */
    final float[] valueScales;
    /** XOR mask applied to every stored word: the top bit at 2, 4 and 8 bits, nothing at 3 bits. */
    final int topFlip;
    /** {@code [tile][unit][wordInUnit][tile]}. */
    final int[] words;
    /** Group of each unit, or {@code null} when a unit mixes groups; see {@link #rowGroup}. */
    final int[] unitGroup;
    /** Group of each (permuted) row; used only when {@link #unitGroup} is {@code null}. */
    final int[] rowGroup;
    /**
     * {@code [tile][group][tile]}: scales as fp16 bits, and zero points as unsigned bytes, when every scale is an
     * fp16 value and every zero point an integer in {@code [0, 255]} (all GPTQ and AWQ checkpoints with fp16
     * scales); {@code null} otherwise. Three bytes per column and group instead of eight.
     */
    final short[] halfScales;
    final byte[] zeroPoints;
    /** {@code [tile][group][tile]}: scale and scale times zero point, when the compact form does not apply. */
    final float[] scales;
    final float[] scaledZeros;
    /**
     * Unit boundaries {@code [0, ..., units]} of the K segments each tile is split into, at group starts: a
     * matrix with few tiles (small N) still gives every pool thread several work items, whose partial outputs
     * the caller adds up.
     */
    final int[] segmentStarts;
    /** Row {@code i} of the packed form is input row {@code inputOrder[i]}; {@code null} for the identity. */
    final int[] inputOrder;
    final float[] bias;
    private final String name;

    private PackedMatrix(QuantizedLinear w, int tile) {
        this.name = w.name();
        this.bits = w.bits();
        this.inFeatures = w.inFeatures();
        this.outFeatures = w.outFeatures();
        this.tile = tile;
        this.tiles = (outFeatures + tile - 1) / tile;
        this.unitRows = bits == 3 ? 32 : 32 / bits;
        this.wordsPerUnit = bits == 3 ? 3 : 1;
        this.units = inFeatures / unitRows;
        this.numGroups = w.numGroups();
        this.topFlip = bits == 3 ? 0 : Integer.MIN_VALUE;
        this.valueScales = new float[unitRows];
        for (int j = 0; j < unitRows; j++) {
            valueScales[j] = Math.scalb(1f, -bits * j);
        }
        this.bias = w.bias() == null ? null : w.bias().clone();
        this.inputOrder = sortedByGroup(w);
        int[] groups = new int[inFeatures];
        for (int i = 0; i < inFeatures; i++) {
            groups[i] = w.group(inputOrder == null ? i : inputOrder[i]);
        }
        this.unitGroup = unitGroups(groups);
        this.rowGroup = unitGroup == null ? groups : null;
        this.segmentStarts = segments(ComputePool.shared().parallelism());
        this.words = new int[Math.multiplyExact(Math.multiplyExact(tiles, units * wordsPerUnit), tile)];
        if (inputOrder == null) {
            copyWords(w);
        } else {
            repackPermuted(w);
        }
        int size = Math.multiplyExact(tiles * numGroups, tile);
        boolean compact = compactable(w.scales(), w.zeros());
        this.halfScales = compact ? new short[size] : null;
        this.zeroPoints = compact ? new byte[size] : null;
        this.scales = compact ? null : new float[size];
        this.scaledZeros = compact ? null : new float[size];
        float[] s = w.scales();
        float[] z = w.zeros();
        for (int g = 0; g < numGroups; g++) {
            for (int n = 0; n < outFeatures; n++) {
                int at = ((n / tile) * numGroups + g) * tile + n % tile;
                int from = g * outFeatures + n;
                if (compact) {
                    halfScales[at] = Float.floatToFloat16(s[from]);
                    zeroPoints[at] = (byte) z[from];
                } else {
                    scales[at] = s[from];
                    scaledZeros[at] = s[from] * z[from];
                }
            }
        }
    }

    private static boolean compactable(float[] scales, float[] zeros) {
        for (int i = 0; i < scales.length; i++) {
            float z = zeros[i];
            float s = scales[i];
            if (!Float.isFinite(s) || Float.float16ToFloat(Float.floatToFloat16(s)) != s || z != (int) z || z < 0 || z > 255) {
                return false;
            }
        }
        return true;
    }

    /** Scale at index {@code at} of the {@code [tile][group][tile]} layout. */
    float scale(int at) {
        return halfScales != null ? Float.float16ToFloat(halfScales[at]) : scales[at];
    }

    /** Scale times zero point at index {@code at}; the same float product in both layouts. */
    float scaledZero(int at) {
        return halfScales != null ? Float.float16ToFloat(halfScales[at]) * (zeroPoints[at] & 0xff) : scaledZeros[at];
    }

    /** Repacks {@code w} for {@link Kernels#best()} (and the scalar kernel); the source may be dropped afterwards. */
    public static PackedMatrix pack(QuantizedLinear w) {
        return new PackedMatrix(w, Kernels.tileWidth());
    }

    /** K. */
    public int inFeatures() {
        return inFeatures;
    }

    /** N. */
    public int outFeatures() {
        return outFeatures;
    }

    public int bits() {
        return bits;
    }

    /** Bytes one matmul reads from memory: packed words, scales and zero points, bias. */
    public long bytesPerMatmul() {
        long groupBytes = halfScales != null ? halfScales.length * 3L : scales.length * 8L;
        return (long) words.length * 4 + groupBytes + (bias == null ? 0 : bias.length * 4L);
    }

    /** Whether every unit of rows lies in one group (true for all real checkpoints); else a slower path runs. */
    boolean groupsAligned() {
        return unitGroup != null;
    }

    /** The rows sorted by group (stable), or {@code null} when they already are. */
    private static int[] sortedByGroup(QuantizedLinear w) {
        if (w.groupIndex() == null) {
            return null;
        }
        int k = w.inFeatures();
        boolean sorted = true;
        for (int i = 1; i < k && sorted; i++) {
            sorted = w.group(i - 1) <= w.group(i);
        }
        if (sorted) {
            return null;
        }
        // Counting sort by group keeps rows of one group in their original order.
        int[] start = new int[w.numGroups() + 1];
        for (int i = 0; i < k; i++) {
            start[w.group(i) + 1]++;
        }
        for (int g = 0; g < w.numGroups(); g++) {
            start[g + 1] += start[g];
        }
        int[] order = new int[k];
        for (int i = 0; i < k; i++) {
            order[start[w.group(i)]++] = i;
        }
        return order;
    }

    private int[] unitGroups(int[] groups) {
        int[] out = new int[units];
        for (int u = 0; u < units; u++) {
            int g = groups[u * unitRows];
            for (int r = 1; r < unitRows; r++) {
                if (groups[u * unitRows + r] != g) {
                    return null;
                }
            }
            out[u] = g;
        }
        return out;
    }

    /** Work items per thread below which tiles are split along K. */
    private static final int ITEMS_PER_THREAD = 8;

    private int[] segments(int parallelism) {
        int wanted = parallelism == 1 || unitGroup == null ? 1 : Math.min(8, (parallelism * ITEMS_PER_THREAD + tiles - 1) / tiles);
        int[] starts = new int[wanted + 1];
        int count = 1;
        for (int s = 1; s < wanted; s++) {
            int u = Math.max(starts[count - 1] + 1, (int) ((long) s * units / wanted));
            while (u < units && unitGroup[u] == unitGroup[u - 1]) {
                u++;
            }
            if (u < units) {
                starts[count++] = u;
            }
        }
        starts[count] = units;
        return Arrays.copyOf(starts, count + 1);
    }

    /** K segments per tile; see {@link #segmentStarts}. */
    int segments() {
        return segmentStarts.length - 1;
    }

    private void copyWords(QuantizedLinear w) {
        int packedRows = units * wordsPerUnit;
        int[] row = new int[outFeatures];
        MemorySegment source = w.qweight();
        for (int r = 0; r < packedRows; r++) {
            MemorySegment.copy(source, WORD, (long) r * outFeatures * 4, row, 0, outFeatures);
            for (int n = 0; n < outFeatures; n++) {
                words[((n / tile) * packedRows + r) * tile + n % tile] = row[n] ^ topFlip;
            }
        }
    }

    private void repackPermuted(QuantizedLinear w) {
        int packedRows = units * wordsPerUnit;
        int[] column = new int[inFeatures];
        for (int n = 0; n < outFeatures; n++) {
            for (int i = 0; i < inFeatures; i++) {
                column[i] = w.quantValue(inputOrder[i], n);
            }
            int base = (n / tile) * packedRows * tile + n % tile;
            for (int u = 0; u < units; u++) {
                for (int j = 0; j < unitRows; j++) {
                    long bit = (long) j * bits;
                    int wi = (int) (bit >>> 5);
                    int off = (int) (bit & 31);
                    int q = column[u * unitRows + j];
                    int at = base + (u * wordsPerUnit + wi) * tile;
                    words[at] |= q << off;
                    if (off + bits > 32) {
                        words[at + tile] |= q >>> (32 - off);
                    }
                }
            }
            for (int r = 0; r < packedRows; r++) {
                words[base + r * tile] ^= topFlip;
            }
        }
    }

    /** The unsigned quantized value of packed row {@code i} (after permutation), column {@code n}. */
    int value(int i, int n) {
        int u = i / unitRows;
        int j = i % unitRows;
        long bit = (long) j * bits;
        int wi = (int) (bit >>> 5);
        int off = (int) (bit & 31);
        int packedRows = units * wordsPerUnit;
        int at = ((n / tile) * packedRows + u * wordsPerUnit + wi) * tile + n % tile;
        long stream = Integer.toUnsignedLong(words[at] ^ topFlip) >>> off;
        if (off + bits > 32) {
            stream |= Integer.toUnsignedLong(words[at + tile]) << (32 - off);
        }
        return (int) (stream & ((1 << bits) - 1));
    }

    int group(int i) {
        return unitGroup != null ? unitGroup[i / unitRows] : rowGroup[i];
    }

    @Override
    public String toString() {
        return name + " packed int" + bits + " [" + inFeatures + ", " + outFeatures + "] " + tiles + " tiles of " + tile
                + (inputOrder != null ? " act-order" : "") + (unitGroup == null ? " (row-wise groups)" : "");
    }
}
