package ai.djl.gptq.kernel;

import ai.djl.gptq.format.safetensors.DType;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API kernels. A tile of the packed matrix is four vectors of packed words wide.
 *
 * <p>Quantized, 2/4/8 bits: value {@code j} of each word is isolated with one AND against its mask in place and
 * converted to float, which gives {@code q * 2^(bits*j)}; the input was pre-scaled by {@code 2^(-bits*j)}
 * ({@link KernelInput#prepareScaled}), so one FMA adds {@code x q}. The top value converts as signed, which the
 * inverted top bit of the packed form ({@link PackedMatrix}) turns into {@code q - 2^(bits-1)}; the missing
 * term is added per group. That is three instructions per 16 values and no shifts. One input row runs with
 * eight accumulators (even and odd values), enough independent FMAs to cover their latency; blocks of four rows
 * unpack each word once for all four (prefill). At the end of each group the accumulators are folded into the
 * output, {@code out += s * acc - s * z * sum(x) + s * 2^(bits-1) * sum(x at top values)}, in a separate loop:
 * C2 stops inlining Vector API calls in a method past a node budget, and the unpacking loop must stay whole.
 * Tiles are split along K at group boundaries when there are too few of them for the pool's threads.
 *
 * <p>3 bits: values are shifted out of the 96-bit stream of three words, one row at a time.
 *
 * <p>Dense: F32 rows are dotted directly; F16 rows are widened in registers (sign-extended, the 15 magnitude
 * bits moved under a float exponent and rescaled by {@code 2^112}, exact for normal and subnormal values;
 * {@link DenseMatrix#of} rejects infinities and NaNs); BF16 rows are shifted into the high half of a float.
 *
 * <p>Only loaded when {@code jdk.incubator.vector} is present.
 */
final class VectorKernel implements MatmulKernel {

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> I = F.withLanes(int.class);
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(F.vectorBitSize() / 4));
    static final int LANES = F.length();
    static final int TILE = 4 * LANES;

    static final VectorKernel INSTANCE = new VectorKernel();

    private static final MatmulJob.Part QUANTIZED = VectorKernel::quantizedTiles;
    private static final MatmulJob.Part DENSE = VectorKernel::denseColumns;

    /** Whether the preferred vectors are wide enough (AVX2 and up) for this to beat the scalar kernel. */
    static boolean supported() {
        return LANES >= 8;
    }

    @Override
    public void matmul(float[] x, int rows, PackedMatrix w, float[] y) {
        if (!w.groupsAligned() || w.tile != TILE) {
            ScalarKernel.INSTANCE.matmul(x, rows, w, y);
            return;
        }
        KernelInput.checkShapes(x, rows, w.inFeatures, y, w.outFeatures);
        Scratch scratch = Scratch.get();
        float[] sums = scratch.groupSums(rows * w.numGroups);
        float[] tops = null;
        float[] xs;
        if (w.bits == 3) {
            xs = KernelInput.prepare(x, rows, w, scratch, sums);
        } else {
            tops = scratch.topSums(rows * w.numGroups);
            xs = KernelInput.prepareScaled(x, rows, w, scratch, sums, tops);
        }
        int segments = w.segments();
        int size = rows * w.outFeatures;
        float[] partials = segments == 1 ? null : scratch.partials(segments * size);
        scratch.job.runQuantized(QUANTIZED, w.tiles * segments, xs, rows, w, y, sums, tops, partials);
        if (partials != null) {
            for (int i = 0; i < size; i++) {
                float sum = w.bias == null ? 0f : w.bias[i % w.outFeatures];
                for (int s = 0; s < segments; s++) {
                    sum += partials[s * size + i];
                }
                y[i] = sum;
            }
        }
    }

    /** Work item {@code i} is K segment {@code i % segments} of tile {@code i / segments}. */
    private static void quantizedTiles(MatmulJob job, int from, int to) {
        PackedMatrix w = job.packed;
        int segments = w.segments();
        Scratch scratch = Scratch.get();
        float[] acc = scratch.acc(4 * TILE);
        float[] out = scratch.out(4 * TILE);
        for (int item = from; item < to; item++) {
            int t = item / segments;
            int segment = item % segments;
            int u0 = w.segmentStarts[segment];
            int u1 = w.segmentStarts[segment + 1];
            int r = 0;
            if (w.bits != 3) {
                for (; r + 4 <= job.rows; r += 4) {
                    Arrays.fill(out, 0, 4 * TILE, 0f);
                    fourRows(job.x, r, job.groupSums, job.topSums, w, t, u0, u1, acc, out);
                    store(out, 4, w, r, t, segment, job);
                }
            }
            for (; r < job.rows; r++) {
                Arrays.fill(out, 0, TILE, 0f);
                if (w.bits == 3) {
                    oneRow3(job.x, r, job.groupSums, w, t, u0, u1, acc, out);
                } else {
                    oneRow(job.x, r, job.groupSums, job.topSums, w, t, u0, u1, acc, out);
                }
                store(out, 1, w, r, t, segment, job);
            }
        }
    }

    /** One input row, 2/4/8 bits, units {@code [u0, u1)}; eight accumulators. */
    private static void oneRow(float[] xs, int r, float[] sums, float[] tops, PackedMatrix w, int t, int u0, int u1, float[] acc,
            float[] out) {
        final int bits = w.bits;
        final int perWord = w.unitRows;
        final int low = (1 << bits) - 1;
        final int[] words = w.words;
        final int[] unitGroup = w.unitGroup;
        final int xo = r * w.inFeatures;
        final int base = t * w.units * TILE;
        int u = u0;
        while (u < u1) {
            int g = unitGroup[u];
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            FloatVector b0 = a0;
            FloatVector b1 = a0;
            FloatVector b2 = a0;
            FloatVector b3 = a0;
            for (; u < u1 && unitGroup[u] == g; u++) {
                int at = base + u * TILE;
                IntVector w0 = IntVector.fromArray(I, words, at);
                IntVector w1 = IntVector.fromArray(I, words, at + LANES);
                IntVector w2 = IntVector.fromArray(I, words, at + 2 * LANES);
                IntVector w3 = IntVector.fromArray(I, words, at + 3 * LANES);
                int row = xo + u * perWord;
                for (int j = 0; j < perWord; j += 2) {
                    int even = low << (bits * j);
                    int odd = even << bits;
                    FloatVector xe = FloatVector.broadcast(F, xs[row + j]);
                    a0 = q(w0, even).fma(xe, a0);
                    a1 = q(w1, even).fma(xe, a1);
                    a2 = q(w2, even).fma(xe, a2);
                    a3 = q(w3, even).fma(xe, a3);
                    FloatVector xo2 = FloatVector.broadcast(F, xs[row + j + 1]);
                    b0 = q(w0, odd).fma(xo2, b0);
                    b1 = q(w1, odd).fma(xo2, b1);
                    b2 = q(w2, odd).fma(xo2, b2);
                    b3 = q(w3, odd).fma(xo2, b3);
                }
            }
            a0.add(b0).intoArray(acc, 0);
            a1.add(b1).intoArray(acc, LANES);
            a2.add(b2).intoArray(acc, 2 * LANES);
            a3.add(b3).intoArray(acc, 3 * LANES);
            fold(acc, 1, w, t, g, sums, tops, r, out);
        }
    }

    /** Four input rows {@code r .. r+3}, 2/4/8 bits, units {@code [u0, u1)}: each word is unpacked once for all four. */
    private static void fourRows(float[] xs, int r, float[] sums, float[] tops, PackedMatrix w, int t, int u0, int u1, float[] acc,
            float[] out) {
        final int bits = w.bits;
        final int perWord = w.unitRows;
        final int low = (1 << bits) - 1;
        final int[] words = w.words;
        final int[] unitGroup = w.unitGroup;
        final int k = w.inFeatures;
        final int x0 = r * k;
        final int base = t * w.units * TILE;
        int u = u0;
        while (u < u1) {
            int g = unitGroup[u];
            FloatVector a00 = FloatVector.zero(F);
            FloatVector a01 = a00;
            FloatVector a02 = a00;
            FloatVector a03 = a00;
            FloatVector a10 = a00;
            FloatVector a11 = a00;
            FloatVector a12 = a00;
            FloatVector a13 = a00;
            FloatVector a20 = a00;
            FloatVector a21 = a00;
            FloatVector a22 = a00;
            FloatVector a23 = a00;
            FloatVector a30 = a00;
            FloatVector a31 = a00;
            FloatVector a32 = a00;
            FloatVector a33 = a00;
            for (; u < u1 && unitGroup[u] == g; u++) {
                int at = base + u * TILE;
                IntVector w0 = IntVector.fromArray(I, words, at);
                IntVector w1 = IntVector.fromArray(I, words, at + LANES);
                IntVector w2 = IntVector.fromArray(I, words, at + 2 * LANES);
                IntVector w3 = IntVector.fromArray(I, words, at + 3 * LANES);
                int row = x0 + u * perWord;
                for (int j = 0; j < perWord; j++) {
                    int mask = low << (bits * j);
                    FloatVector q0 = q(w0, mask);
                    FloatVector q1 = q(w1, mask);
                    FloatVector q2 = q(w2, mask);
                    FloatVector q3 = q(w3, mask);
                    FloatVector x = FloatVector.broadcast(F, xs[row + j]);
                    a00 = q0.fma(x, a00);
                    a01 = q1.fma(x, a01);
                    a02 = q2.fma(x, a02);
                    a03 = q3.fma(x, a03);
                    x = FloatVector.broadcast(F, xs[row + k + j]);
                    a10 = q0.fma(x, a10);
                    a11 = q1.fma(x, a11);
                    a12 = q2.fma(x, a12);
                    a13 = q3.fma(x, a13);
                    x = FloatVector.broadcast(F, xs[row + 2 * k + j]);
                    a20 = q0.fma(x, a20);
                    a21 = q1.fma(x, a21);
                    a22 = q2.fma(x, a22);
                    a23 = q3.fma(x, a23);
                    x = FloatVector.broadcast(F, xs[row + 3 * k + j]);
                    a30 = q0.fma(x, a30);
                    a31 = q1.fma(x, a31);
                    a32 = q2.fma(x, a32);
                    a33 = q3.fma(x, a33);
                }
            }
            a00.intoArray(acc, 0);
            a01.intoArray(acc, LANES);
            a02.intoArray(acc, 2 * LANES);
            a03.intoArray(acc, 3 * LANES);
            a10.intoArray(acc, TILE);
            a11.intoArray(acc, TILE + LANES);
            a12.intoArray(acc, TILE + 2 * LANES);
            a13.intoArray(acc, TILE + 3 * LANES);
            a20.intoArray(acc, 2 * TILE);
            a21.intoArray(acc, 2 * TILE + LANES);
            a22.intoArray(acc, 2 * TILE + 2 * LANES);
            a23.intoArray(acc, 2 * TILE + 3 * LANES);
            a30.intoArray(acc, 3 * TILE);
            a31.intoArray(acc, 3 * TILE + LANES);
            a32.intoArray(acc, 3 * TILE + 2 * LANES);
            a33.intoArray(acc, 3 * TILE + 3 * LANES);
            fold(acc, 4, w, t, g, sums, tops, r, out);
        }
    }

    /** One input row at 3 bits, units {@code [u0, u1)}: three words hold 32 rows as one little-endian 96-bit stream. */
    private static void oneRow3(float[] xp, int r, float[] sums, PackedMatrix w, int t, int u0, int u1, float[] acc, float[] out) {
        final int[] words = w.words;
        final int xo = r * w.inFeatures;
        final int base = t * w.units * 3 * TILE;
        int u = u0;
        while (u < u1) {
            int g = w.unitGroup[u];
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            for (; u < u1 && w.unitGroup[u] == g; u++) {
                int at = base + u * 3 * TILE;
                int row = xo + u * 32;
                for (int c = 0; c < 4; c++) {
                    IntVector lo = IntVector.fromArray(I, words, at + c * LANES);
                    IntVector mid = IntVector.fromArray(I, words, at + TILE + c * LANES);
                    IntVector hi = IntVector.fromArray(I, words, at + 2 * TILE + c * LANES);
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
                        a = q(v, 7).fma(FloatVector.broadcast(F, xp[row + j]), a);
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
            a0.intoArray(acc, 0);
            a1.intoArray(acc, LANES);
            a2.intoArray(acc, 2 * LANES);
            a3.intoArray(acc, 3 * LANES);
            fold(acc, 1, w, t, g, sums, null, r, out);
        }
    }

    /** The masked bits of each lane as a float (signed: the top bit counts negative). */
    private static FloatVector q(IntVector word, int mask) {
        return (FloatVector) word.and(mask).convert(VectorOperators.I2F, 0);
    }

    /**
     * Folds one group's accumulators {@code acc[i][TILE]} of {@code rows} input rows from {@code r} into
     * {@code out[i][TILE]}: {@code out += s * acc - s * z * sum(x) + s * 2^(bits-1) * sum(x at top values)}.
     * Runs once per group, out of the unpacking loop, which keeps the hot loop's compiled code small.
     */
    private static void fold(float[] acc, int rows, PackedMatrix w, int t, int g, float[] sums, float[] tops, int r, float[] out) {
        int groups = w.numGroups;
        float half = 1 << (w.bits - 1);
        for (int c = 0; c < TILE; c += LANES) {
            int sg = (t * groups + g) * TILE + c;
            FloatVector s;
            FloatVector sz;
            if (w.halfScales != null) {
                s = halfToFloat(ShortVector.fromArray(S, w.halfScales, sg));
                FloatVector z = (FloatVector) ByteVector.fromArray(B, w.zeroPoints, sg)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0)
                        .convert(VectorOperators.I2F, 0);
                sz = s.mul(z);
            } else {
                s = FloatVector.fromArray(F, w.scales, sg);
                sz = FloatVector.fromArray(F, w.scaledZeros, sg);
            }
            for (int i = 0; i < rows; i++) {
                int at = i * TILE + c;
                int sum = (r + i) * groups + g;
                FloatVector a = FloatVector.fromArray(F, acc, at);
                if (tops != null) {
                    a = a.add(half * tops[sum]);
                }
                FloatVector o = a.fma(s, FloatVector.fromArray(F, out, at));
                sz.fma(FloatVector.broadcast(F, -sums[sum]), o).intoArray(out, at);
            }
        }
    }

    /**
     * Writes {@code rows} rows of a tile's outputs: {@code y = out + bias} when tiles are not split along K, else
     * the segment's partial outputs, which the caller adds up.
     */
    private static void store(float[] out, int rows, PackedMatrix w, int r, int t, int segment, MatmulJob job) {
        int n0 = t * TILE;
        int width = Math.min(TILE, w.outFeatures - n0);
        float[] bias = job.partials == null ? w.bias : null;
        float[] dst = job.partials == null ? job.y : job.partials;
        int offset = job.partials == null ? 0 : segment * job.rows * w.outFeatures;
        for (int i = 0; i < rows; i++) {
            int yb = offset + (r + i) * w.outFeatures + n0;
            int ob = i * TILE;
            for (int c = 0; c < width; c++) {
                dst[yb + c] = out[ob + c] + (bias == null ? 0f : bias[n0 + c]);
            }
        }
    }

    @Override
    public void matmul(float[] x, int rows, DenseMatrix w, float[] y) {
        KernelInput.checkShapes(x, rows, w.cols, y, w.rows);
        Scratch.get().job.runDense(DENSE, x, rows, w, y, 64);
    }

    private static void denseColumns(MatmulJob job, int from, int to) {
        DenseMatrix w = job.dense;
        for (int n = from; n < to; n++) {
            for (int r = 0; r < job.rows; r++) {
                job.y[r * w.rows + n] = dot(job.x, r * w.cols, w, n);
            }
        }
    }

    private static float dot(float[] x, int xo, DenseMatrix w, int n) {
        int k = w.cols;
        long rowByte = (long) n * k * w.dtype.byteSize();
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        int i = 0;
        int bound = k - k % (2 * LANES);
        for (; i < bound; i += 2 * LANES) {
            a0 = load(w, rowByte, i).fma(FloatVector.fromArray(F, x, xo + i), a0);
            a1 = load(w, rowByte, i + LANES).fma(FloatVector.fromArray(F, x, xo + i + LANES), a1);
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
        ShortVector half = ShortVector.fromMemorySegment(S, w.data, rowByte + i * 2L, ByteOrder.LITTLE_ENDIAN);
        if (w.dtype == DType.BF16) {
            return ((IntVector) half.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
        }
        return halfToFloat(half);
    }

    /** fp16 bits to floats, exact for all finite values. */
    private static FloatVector halfToFloat(ShortVector half) {
        IntVector bits = (IntVector) half.convertShape(VectorOperators.S2I, I, 0);
        // Sign-extended, shifted by 13: the sign lands in bit 31 and exponent and mantissa under the float's.
        return bits.lanewise(VectorOperators.LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f);
    }
}
