package ai.djl.gptq.kernel;

import ai.djl.gptq.quant.QuantizedLinear;

/**
 * A quantized weight repacked once, at load, for the kernels. Columns are cut into tiles of {@link #TILE}
 * columns and each tile's packed words are stored contiguously, unit after unit down K, so every thread
 * streams its own contiguous block of memory. A unit is the smallest run of rows that fills whole words: one
 * word of 32/bits values, or three words of 32 values at 3 bits. With act-order ({@code desc_act}) the rows are
 * permuted once so that groups are contiguous, and the input is permuted the same way at run time. Memory stays
 * at packed size (plus tile padding); scales and scale times zero are kept as floats per tile and group.
 */
public final class PackedMatrix {

    /** Columns per tile: four 16-lane vectors, so the vector kernel keeps four independent accumulators. */
    public static final int TILE = 64;

    final int bits;
    final int inFeatures;
    final int outFeatures;
    final int tiles;
    final int unitRows;
    final int wordsPerUnit;
    final int units;
    final int numGroups;
    /** {@code [tile][unit][wordInUnit][TILE]}. */
    final int[] words;
    /** Group of each unit, or {@code null} when a unit mixes groups (forged group indices); see {@link #rowGroup}. */
    final int[] unitGroup;
    /** Group of each (permuted) row; used only when {@link #unitGroup} is {@code null}. */
    final int[] rowGroup;
    /** {@code [tile][group][TILE]}: scale. */
    final float[] scales;
    /** {@code [tile][group][TILE]}: scale times zero point. */
    final float[] scaledZeros;
    /** Row {@code i} of the packed form is input row {@code inputOrder[i]}; {@code null} for the identity. */
    final int[] inputOrder;
    final float[] bias;
    private final String name;

    private PackedMatrix(QuantizedLinear w) {
        this.name = w.name();
        this.bits = w.bits();
        this.inFeatures = w.inFeatures();
        this.outFeatures = w.outFeatures();
        this.tiles = (outFeatures + TILE - 1) / TILE;
        this.unitRows = bits == 3 ? 32 : 32 / bits;
        this.wordsPerUnit = bits == 3 ? 3 : 1;
        this.units = inFeatures / unitRows;
        this.numGroups = w.numGroups();
        this.bias = w.bias() == null ? null : w.bias().clone();
        this.inputOrder = sortedByGroup(w);
        int[] groups = new int[inFeatures];
        for (int i = 0; i < inFeatures; i++) {
            groups[i] = w.group(inputOrder == null ? i : inputOrder[i]);
        }
        this.unitGroup = unitGroups(groups);
        this.rowGroup = unitGroup == null ? groups : null;
        this.words = new int[Math.multiplyExact(Math.multiplyExact(tiles, units * wordsPerUnit), TILE)];
        if (inputOrder == null) {
            copyWords(w);
        } else {
            repackPermuted(w);
        }
        this.scales = new float[tiles * numGroups * TILE];
        this.scaledZeros = new float[scales.length];
        float[] s = w.scales();
        float[] z = w.zeros();
        for (int g = 0; g < numGroups; g++) {
            for (int n = 0; n < outFeatures; n++) {
                int at = ((n / TILE) * numGroups + g) * TILE + n % TILE;
                scales[at] = s[g * outFeatures + n];
                scaledZeros[at] = s[g * outFeatures + n] * z[g * outFeatures + n];
            }
        }
    }

    /** Repacks {@code w}; the source may be dropped afterwards. */
    public static PackedMatrix pack(QuantizedLinear w) {
        return new PackedMatrix(w);
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

    /** Bytes one matmul reads from memory: packed words, scales and scaled zeros, bias. */
    public long bytesPerMatmul() {
        return (long) words.length * 4 + (long) scales.length * 8 + (bias == null ? 0 : bias.length * 4L);
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

    private void copyWords(QuantizedLinear w) {
        int packedRows = units * wordsPerUnit;
        for (int r = 0; r < packedRows; r++) {
            for (int n = 0; n < outFeatures; n++) {
                words[((n / TILE) * packedRows + r) * TILE + n % TILE] = w.word(r, n);
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
            int base = (n / TILE) * packedRows * TILE + n % TILE;
            for (int u = 0; u < units; u++) {
                for (int j = 0; j < unitRows; j++) {
                    long bit = (long) j * bits;
                    int wi = (int) (bit >>> 5);
                    int off = (int) (bit & 31);
                    int q = column[u * unitRows + j];
                    int at = base + (u * wordsPerUnit + wi) * TILE;
                    words[at] |= q << off;
                    if (off + bits > 32) {
                        words[at + TILE] |= q >>> (32 - off);
                    }
                }
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
        int at = ((n / TILE) * packedRows + u * wordsPerUnit + wi) * TILE + n % TILE;
        long stream = Integer.toUnsignedLong(words[at]) >>> off;
        if (off + bits > 32) {
            stream |= Integer.toUnsignedLong(words[at + TILE]) << (32 - off);
        }
        return (int) (stream & ((1 << bits) - 1));
    }

    int group(int i) {
        return unitGroup != null ? unitGroup[i / unitRows] : rowGroup[i];
    }

    @Override
    public String toString() {
        return name + " packed int" + bits + " [" + inFeatures + ", " + outFeatures + "] " + tiles + " tiles"
                + (inputOrder != null ? " act-order" : "") + (unitGroup == null ? " (row-wise groups)" : "");
    }
}
