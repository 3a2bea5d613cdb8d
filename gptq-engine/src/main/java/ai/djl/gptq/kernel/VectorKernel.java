package ai.djl.gptq.kernel;

import ai.djl.gptq.format.safetensors.DType;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API kernels (AVX-512: 16 float lanes). Quantized: a tile of 64 columns is four vectors of packed
 * words; each value is shifted out, masked, converted and multiplied into one of four independent accumulators,
 * and at the end of each group the accumulators are scaled and the zero-point term subtracted. Dense: fp16/bf16
 * rows are widened in registers (fp16 by placing the 15 magnitude bits under a float exponent and rescaling by
 * 2^112, exact for normal and subnormal values) and dotted with the input.
 *
 * <p>Only loaded when {@code jdk.incubator.vector} is present and the preferred species has 16 float lanes.
 */
final class VectorKernel implements MatmulKernel {

    static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_512;
    static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
    static final int LANES = 16;

    static final VectorKernel INSTANCE = new VectorKernel();

    /** Whether this CPU runs 512-bit float vectors natively. */
    static boolean supported() {
        return FloatVector.SPECIES_PREFERRED.length() == LANES;
    }

    @Override
    public void matmul(float[] x, int rows, PackedMatrix w, float[] y) {
        if (!w.groupsAligned()) {
            ScalarKernel.INSTANCE.matmul(x, rows, w, y);
            return;
        }
        KernelInput.checkShapes(x, rows, w.inFeatures, y, w.outFeatures);
        Scratch scratch = Scratch.get();
        float[] sums = scratch.groupSums(rows * w.numGroups);
        float[] xp = KernelInput.prepare(x, rows, w, scratch, sums);
        ComputePool.shared().run(w.tiles, 1, (from, to) -> {
            for (int t = from; t < to; t++) {
                for (int r = 0; r < rows; r++) {
                    if (w.bits == 3) {
                        tile3(xp, r, sums, w, t, y);
                    } else {
                        tile(xp, r, sums, w, t, y);
                    }
                }
            }
        });
    }

    /** 2, 4 and 8 bits: one word holds 32/bits consecutive rows. */
    private static void tile(float[] xp, int r, float[] sums, PackedMatrix w, int t, float[] y) {
        final int bits = w.bits;
        final int perWord = w.unitRows;
        final int mask = (1 << bits) - 1;
        final int k = w.inFeatures;
        final int groups = w.numGroups;
        final int[] words = w.words;
        final int xo = r * k;
        final int tileBase = t * w.units * PackedMatrix.TILE;
        FloatVector o0 = FloatVector.zero(F);
        FloatVector o1 = o0;
        FloatVector o2 = o0;
        FloatVector o3 = o0;
        int u = 0;
        while (u < w.units) {
            int g = w.unitGroup[u];
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            for (; u < w.units && w.unitGroup[u] == g; u++) {
                int at = tileBase + u * PackedMatrix.TILE;
                IntVector w0 = IntVector.fromArray(I, words, at);
                IntVector w1 = IntVector.fromArray(I, words, at + 16);
                IntVector w2 = IntVector.fromArray(I, words, at + 32);
                IntVector w3 = IntVector.fromArray(I, words, at + 48);
                int row = xo + u * perWord;
                for (int j = 0; j < perWord; j++) {
                    int shift = j * bits;
                    FloatVector xv = FloatVector.broadcast(F, xp[row + j]);
                    a0 = q(w0, shift, mask).fma(xv, a0);
                    a1 = q(w1, shift, mask).fma(xv, a1);
                    a2 = q(w2, shift, mask).fma(xv, a2);
                    a3 = q(w3, shift, mask).fma(xv, a3);
                }
            }
            int sg = (t * groups + g) * PackedMatrix.TILE;
            float xs = -sums[r * groups + g];
            o0 = fold(a0, w, sg, xs, o0);
            o1 = fold(a1, w, sg + 16, xs, o1);
            o2 = fold(a2, w, sg + 32, xs, o2);
            o3 = fold(a3, w, sg + 48, xs, o3);
        }
        store(w, r, t, y, o0, o1, o2, o3);
    }

    /** 3 bits: three words hold 32 rows as one little-endian 96-bit stream. */
    private static void tile3(float[] xp, int r, float[] sums, PackedMatrix w, int t, float[] y) {
        final int k = w.inFeatures;
        final int groups = w.numGroups;
        final int[] words = w.words;
        final int xo = r * k;
        final int tileBase = t * w.units * 3 * PackedMatrix.TILE;
        FloatVector o0 = FloatVector.zero(F);
        FloatVector o1 = o0;
        FloatVector o2 = o0;
        FloatVector o3 = o0;
        int u = 0;
        while (u < w.units) {
            int g = w.unitGroup[u];
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            for (; u < w.units && w.unitGroup[u] == g; u++) {
                int at = tileBase + u * 3 * PackedMatrix.TILE;
                int row = xo + u * 32;
                for (int c = 0; c < 4; c++) {
                    IntVector lo = IntVector.fromArray(I, words, at + c * 16);
                    IntVector mid = IntVector.fromArray(I, words, at + PackedMatrix.TILE + c * 16);
                    IntVector hi = IntVector.fromArray(I, words, at + 2 * PackedMatrix.TILE + c * 16);
                    FloatVector a = c == 0 ? a0 : c == 1 ? a1 : c == 2 ? a2 : a3;
                    for (int j = 0; j < 32; j++) {
                        int bit = 3 * j;
                        int off = bit & 31;
                        IntVector word = bit < 32 ? lo : bit < 64 ? mid : hi;
                        IntVector v = word.lanewise(VectorOperators.LSHR, off);
                        if (off > 29) {
                            IntVector next = bit < 32 ? mid : hi;
                            v = v.or(next.lanewise(VectorOperators.LSHL, 32 - off));
                        }
                        FloatVector qv = (FloatVector) v.and(7).convert(VectorOperators.I2F, 0);
                        a = qv.fma(FloatVector.broadcast(F, xp[row + j]), a);
                    }
                    if (c == 0) {
                        a0 = a;
                    } else if (c == 1) {
                        a1 = a;
                    } else if (c == 2) {
                        a2 = a;
                    } else {
                        a3 = a;
                    }
                }
            }
            int sg = (t * groups + g) * PackedMatrix.TILE;
            float xs = -sums[r * groups + g];
            o0 = fold(a0, w, sg, xs, o0);
            o1 = fold(a1, w, sg + 16, xs, o1);
            o2 = fold(a2, w, sg + 32, xs, o2);
            o3 = fold(a3, w, sg + 48, xs, o3);
        }
        store(w, r, t, y, o0, o1, o2, o3);
    }

    private static FloatVector q(IntVector word, int shift, int mask) {
        return (FloatVector) word.lanewise(VectorOperators.LSHR, shift).and(mask).convert(VectorOperators.I2F, 0);
    }

    /** {@code out + s * acc - s * z * sum(x)} for one group. */
    private static FloatVector fold(FloatVector acc, PackedMatrix w, int at, float minusXs, FloatVector out) {
        FloatVector s = FloatVector.fromArray(F, w.scales, at);
        FloatVector sz = FloatVector.fromArray(F, w.scaledZeros, at);
        return sz.fma(FloatVector.broadcast(F, minusXs), acc.fma(s, out));
    }

    private static void store(PackedMatrix w, int r, int t, float[] y, FloatVector o0, FloatVector o1, FloatVector o2, FloatVector o3) {
        int n0 = t * PackedMatrix.TILE;
        int width = Math.min(PackedMatrix.TILE, w.outFeatures - n0);
        int yb = r * w.outFeatures + n0;
        if (width == PackedMatrix.TILE && w.bias == null) {
            o0.intoArray(y, yb);
            o1.intoArray(y, yb + 16);
            o2.intoArray(y, yb + 32);
            o3.intoArray(y, yb + 48);
            return;
        }
        float[] out = Scratch.get().out;
        o0.intoArray(out, 0);
        o1.intoArray(out, 16);
        o2.intoArray(out, 32);
        o3.intoArray(out, 48);
        for (int c = 0; c < width; c++) {
            y[yb + c] = out[c] + (w.bias == null ? 0f : w.bias[n0 + c]);
        }
    }

    @Override
    public void matmul(float[] x, int rows, DenseMatrix w, float[] y) {
        KernelInput.checkShapes(x, rows, w.cols, y, w.rows);
        ComputePool.shared().run(w.rows, 64, (from, to) -> {
            for (int n = from; n < to; n++) {
                for (int r = 0; r < rows; r++) {
                    y[r * w.rows + n] = dot(x, r * w.cols, w, n);
                }
            }
        });
    }

    private static float dot(float[] x, int xo, DenseMatrix w, int n) {
        int k = w.cols;
        long rowByte = (long) n * k * w.dtype.byteSize();
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        int i = 0;
        int bound = k - k % 32;
        for (; i < bound; i += 32) {
            a0 = load(w, rowByte, i).fma(FloatVector.fromArray(F, x, xo + i), a0);
            a1 = load(w, rowByte, i + 16).fma(FloatVector.fromArray(F, x, xo + i + 16), a1);
        }
        float sum = a0.add(a1).reduceLanes(VectorOperators.ADD);
        for (; i < k; i++) {
            sum += x[xo + i] * w.get(n, i);
        }
        return sum;
    }

    private static FloatVector load(DenseMatrix w, long rowByte, int i) {
        if (w.dtype == DType.F32) {
            return FloatVector.fromMemorySegment(F, w.data, rowByte + i * 4L, ByteOrder.LITTLE_ENDIAN);
        }
        IntVector bits = (IntVector) ShortVector.fromMemorySegment(S, w.data, rowByte + i * 2L, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.ZERO_EXTEND_S2I, I, 0);
        if (w.dtype == DType.BF16) {
            return bits.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
        }
        FloatVector magnitude = bits.and(0x7fff).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f);
        return magnitude.reinterpretAsInts().or(bits.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
    }
}
