package ai.djl.gptq.tensor;

import ai.djl.ndarray.types.DataType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;

/** Ops that move elements without computing on them: broadcast, permute, slice, concat, gather, repeat, cast. */
public final class Layout {

    private Layout() {}

    /** Numpy broadcasting of two shapes. */
    public static long[] broadcastShape(long[] a, long[] b) {
        int rank = Math.max(a.length, b.length);
        long[] out = new long[rank];
        for (int d = 0; d < rank; d++) {
            long da = d < rank - a.length ? 1 : a[d - (rank - a.length)];
            long db = d < rank - b.length ? 1 : b[d - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b)
                        + " cannot be broadcast together");
            }
            out[d] = da == 1 ? db : da;
        }
        return out;
    }

    /** Strides reading an array of {@code shape} as if it were broadcast to {@code out}. */
    public static long[] broadcastStrides(long[] shape, long[] out) {
        long[] own = Dense.stridesOf(shape);
        long[] strides = new long[out.length];
        int lead = out.length - shape.length;
        if (lead < 0) {
            throw new IllegalArgumentException("cannot broadcast " + Arrays.toString(shape) + " to "
                    + Arrays.toString(out));
        }
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == out[d + lead]) {
                strides[d + lead] = shape[d] == 1 ? 0 : own[d];
            } else if (shape[d] == 1) {
                strides[d + lead] = 0;
            } else {
                throw new IllegalArgumentException("cannot broadcast " + Arrays.toString(shape) + " to "
                        + Arrays.toString(out));
            }
        }
        return strides;
    }

    /** A new array of {@code outShape} whose elements are read from {@code src} at {@code base + index . strides}. */
    static Dense gatherStrided(Dense src, long base, long[] strides, long[] outShape, DataType outType) {
        Dense out = Dense.zeros(outType, outShape);
        long n = out.size();
        if (n == 0) {
            return out;
        }
        StridedCursor cursor = new StridedCursor(outShape, new long[] {base}, strides);
        if (src.type() == outType) {
            int width = outType.getNumOfBytes();
            for (long i = 0; i < n; i++) {
                copyElement(src.data(), cursor.offset(0), out.data(), i, width);
                cursor.next();
            }
        } else {
            for (long i = 0; i < n; i++) {
                convertElement(src, cursor.offset(0), out, i);
                cursor.next();
            }
        }
        return out;
    }

    /** Writes {@code value}, broadcast to {@code regionShape}, into {@code target} at {@code base + index . strides}. */
    public static void scatterStrided(Dense target, long base, long[] strides, long[] regionShape, Dense value) {
        long n = Dense.sizeOf(regionShape);
        if (n == 0) {
            return;
        }
        long[] valueStrides = broadcastStrides(value.shape(), regionShape);
        StridedCursor cursor = new StridedCursor(regionShape, new long[] {base, 0}, strides, valueStrides);
        boolean same = value.type() == target.type();
        int width = target.type().getNumOfBytes();
        for (long i = 0; i < n; i++) {
            if (same) {
                copyElement(value.data(), cursor.offset(1), target.data(), cursor.offset(0), width);
            } else {
                convertElement(value, cursor.offset(1), target, cursor.offset(0));
            }
            cursor.next();
        }
    }

    /** A copy of {@code src} in another type (a plain copy when the type is the same). */
    public static Dense convert(Dense src, DataType type) {
        Elements.requireSupported(type);
        if (type == src.type()) {
            Dense out = Dense.zeros(type, src.shape());
            MemorySegment.copy(src.data(), 0, out.data(), 0, src.data().byteSize());
            return out;
        }
        return gatherStrided(src, 0, Dense.stridesOf(src.shape()), src.shape(), type);
    }

    /** {@code src} broadcast to {@code shape}, materialized. */
    public static Dense broadcastTo(Dense src, long[] shape) {
        return gatherStrided(src, 0, broadcastStrides(src.shape(), shape), shape, src.type());
    }

    /** The axes of {@code src} reordered: output axis {@code d} is input axis {@code axes[d]}. */
    public static Dense permute(Dense src, int[] axes) {
        int rank = src.rank();
        if (axes.length != rank) {
            throw new IllegalArgumentException("transpose needs " + rank + " axes, got " + Arrays.toString(axes));
        }
        long[] own = Dense.stridesOf(src.shape());
        long[] shape = new long[rank];
        long[] strides = new long[rank];
        boolean[] seen = new boolean[rank];
        for (int d = 0; d < rank; d++) {
            int a = normalizeAxis(axes[d], rank);
            if (seen[a]) {
                throw new IllegalArgumentException("repeated axis in transpose " + Arrays.toString(axes));
            }
            seen[a] = true;
            shape[d] = src.shape()[a];
            strides[d] = own[a];
        }
        return gatherStrided(src, 0, strides, shape, src.type());
    }

    /** The elements {@code min[d] + k * step[d]} for {@code k < shape[d]} along every axis. */
    public static Dense slice(Dense src, long[] min, long[] step, long[] shape) {
        long[] own = Dense.stridesOf(src.shape());
        long base = 0;
        long[] strides = new long[own.length];
        for (int d = 0; d < own.length; d++) {
            base += min[d] * own[d];
            strides[d] = own[d] * step[d];
        }
        return gatherStrided(src, base, strides, shape, src.type());
    }

    /** Writes {@code value} (broadcast) into the slice {@code min, step, shape} of {@code target}. */
    public static void assignSlice(Dense target, long[] min, long[] step, long[] shape, Dense value) {
        long[] own = Dense.stridesOf(target.shape());
        long base = 0;
        long[] strides = new long[own.length];
        for (int d = 0; d < own.length; d++) {
            base += min[d] * own[d];
            strides[d] = own[d] * step[d];
        }
        scatterStrided(target, base, strides, shape, value);
    }

    /** The elements reversed along {@code axes}. */
    public static Dense flip(Dense src, int[] axes) {
        long[] strides = Dense.stridesOf(src.shape());
        long base = 0;
        for (int axis : axes) {
            int a = normalizeAxis(axis, src.rank());
            base += (src.shape()[a] - 1) * strides[a];
            strides[a] = -strides[a];
        }
        return gatherStrided(src, src.size() == 0 ? 0 : base, strides, src.shape(), src.type());
    }

    /** Joins arrays of equal shape except along {@code axis}, converted to {@code type}. */
    public static Dense concat(List<Dense> parts, int axis, DataType type) {
        Dense first = parts.get(0);
        int rank = first.rank();
        if (rank == 0) {
            throw new IllegalArgumentException("zero-dimensional arrays cannot be concatenated");
        }
        int a = normalizeAxis(axis, rank);
        long[] shape = first.shape().clone();
        shape[a] = 0;
        for (Dense p : parts) {
            if (p.rank() != rank) {
                throw new IllegalArgumentException("concat of ranks " + rank + " and " + p.rank());
            }
            for (int d = 0; d < rank; d++) {
                if (d != a && p.shape()[d] != shape[d]) {
                    throw new IllegalArgumentException("concat of shapes " + Arrays.toString(first.shape())
                            + " and " + Arrays.toString(p.shape()) + " along axis " + a);
                }
            }
            shape[a] += p.shape()[a];
        }
        Dense out = Dense.zeros(type, shape);
        long[] outStrides = Dense.stridesOf(shape);
        long at = 0;
        for (Dense p : parts) {
            scatterStrided(out, at * outStrides[a], outStrides, p.shape(), p);
            at += p.shape()[a];
        }
        return out;
    }

    /** Each element repeated {@code repeats} times along {@code axis} (numpy {@code repeat}). */
    public static Dense repeat(Dense src, int axis, long repeats) {
        int a = normalizeAxis(axis, src.rank());
        long[] shape = src.shape();
        long[] expanded = new long[shape.length + 1];
        long[] strides = new long[shape.length + 1];
        long[] own = Dense.stridesOf(shape);
        for (int d = 0, e = 0; d < shape.length; d++, e++) {
            expanded[e] = shape[d];
            strides[e] = own[d];
            if (d == a) {
                e++;
                expanded[e] = repeats;
                strides[e] = 0;
            }
        }
        long[] outShape = shape.clone();
        outShape[a] = shape[a] * repeats;
        return gatherStrided(src, 0, strides, expanded, src.type()).reshape(outShape);
    }

    /** The whole array repeated {@code reps[d]} times along each axis (numpy {@code tile}). */
    public static Dense tile(Dense src, long[] reps) {
        int rank = Math.max(src.rank(), reps.length);
        long[] shape = new long[rank];
        long[] r = new long[rank];
        Arrays.fill(shape, 1);
        Arrays.fill(r, 1);
        System.arraycopy(src.shape(), 0, shape, rank - src.rank(), src.rank());
        System.arraycopy(reps, 0, r, rank - reps.length, reps.length);
        long[] own = Dense.stridesOf(shape);
        long[] expanded = new long[2 * rank];
        long[] strides = new long[2 * rank];
        long[] outShape = new long[rank];
        for (int d = 0; d < rank; d++) {
            expanded[2 * d] = r[d];
            expanded[2 * d + 1] = shape[d];
            strides[2 * d + 1] = shape[d] == 1 ? 0 : own[d];
            outShape[d] = r[d] * shape[d];
        }
        return gatherStrided(src, 0, strides, expanded, src.type()).reshape(outShape);
    }

    /** Elements of the flattened {@code src} at {@code indices}; the result has the shape of {@code indices}. */
    public static Dense take(Dense src, Dense indices) {
        long n = src.size();
        Dense out = Dense.zeros(src.type(), indices.shape());
        int width = src.type().getNumOfBytes();
        for (long i = 0; i < out.size(); i++) {
            long k = checkedIndex(indices.getLong(i), n, "take");
            copyElement(src.data(), k, out.data(), i, width);
        }
        return out;
    }

    /** Numpy {@code a[..., indices, ...]} with a rank-1 index array at {@code axis}. */
    public static Dense indexSelect(Dense src, int axis, Dense indices) {
        int a = normalizeAxis(axis, src.rank());
        long[] shape = src.shape();
        long outer = 1;
        for (int d = 0; d < a; d++) {
            outer *= shape[d];
        }
        long inner = 1;
        for (int d = a + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        long count = indices.size();
        long[] outShape = shape.clone();
        outShape[a] = count;
        Dense out = Dense.zeros(src.type(), outShape);
        long width = src.type().getNumOfBytes();
        for (long o = 0; o < outer; o++) {
            for (long j = 0; j < count; j++) {
                long k = checkedIndex(indices.getLong(j), shape[a], "index");
                long from = ((o * shape[a]) + k) * inner * width;
                long to = ((o * count) + j) * inner * width;
                MemorySegment.copy(src.data(), from, out.data(), to, inner * width);
            }
        }
        return out;
    }

    /** {@code torch.gather}: {@code out[i][j] = src[i][index[i][j]]} along {@code axis}, index of equal rank. */
    public static Dense gather(Dense src, int axis, Dense index) {
        int rank = src.rank();
        if (index.rank() != rank) {
            throw new IllegalArgumentException("pick needs an index of rank " + rank + ", got shape "
                    + Arrays.toString(index.shape()));
        }
        int a = normalizeAxis(axis, rank);
        for (int d = 0; d < rank; d++) {
            if (d != a && index.shape()[d] > src.shape()[d]) {
                throw new IllegalArgumentException("pick index shape " + Arrays.toString(index.shape())
                        + " exceeds array shape " + Arrays.toString(src.shape()));
            }
        }
        long[] srcStrides = Dense.stridesOf(src.shape());
        long[] masked = srcStrides.clone();
        masked[a] = 0;
        Dense out = Dense.zeros(src.type(), index.shape());
        int width = src.type().getNumOfBytes();
        StridedCursor cursor = new StridedCursor(index.shape(), new long[] {0}, masked);
        for (long i = 0; i < out.size(); i++) {
            long k = checkedIndex(index.getLong(i), src.shape()[a], "pick");
            copyElement(src.data(), cursor.offset(0) + k * srcStrides[a], out.data(), i, width);
            cursor.next();
        }
        return out;
    }

    /** {@code axis} in {@code [0, rank)}, accepting negative axes. */
    public static int normalizeAxis(int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new IllegalArgumentException("axis " + axis + " is out of range for rank " + rank);
        }
        return a;
    }

    private static long checkedIndex(long k, long n, String op) {
        long i = k < 0 ? k + n : k;
        if (i < 0 || i >= n) {
            throw new IndexOutOfBoundsException(op + " index " + k + " is out of bounds for size " + n);
        }
        return i;
    }

    private static void copyElement(MemorySegment src, long from, MemorySegment dst, long to, int width) {
        switch (width) {
            case 1 -> dst.set(ValueLayout.JAVA_BYTE, to, src.get(ValueLayout.JAVA_BYTE, from));
            case 2 -> dst.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, to,
                    src.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, from));
            case 4 -> dst.setAtIndex(ValueLayout.JAVA_INT_UNALIGNED, to,
                    src.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, from));
            default -> dst.setAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, to,
                    src.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, from));
        }
    }

    private static void convertElement(Dense src, long from, Dense dst, long to) {
        if (Elements.isFloating(src.type()) || Elements.isFloating(dst.type())) {
            dst.setDouble(to, src.getDouble(from));
        } else {
            dst.setLong(to, src.getLong(from));
        }
    }
}
