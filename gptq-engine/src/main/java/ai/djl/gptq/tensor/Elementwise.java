package ai.djl.gptq.tensor;

import ai.djl.ndarray.types.DataType;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Element-wise computation with numpy broadcasting and PyTorch type promotion. Floating ops compute in double on
 * operands rounded to the compute type, so results match PyTorch computing in that type.
 */
public final class Elementwise {

    private Elementwise() {}

    /** {@code op(a, b)} broadcast; a zero-dimensional operand takes part in promotion as a scalar. */
    public static Dense binary(BinaryOp op, Dense a, Dense b) {
        DataType promoted = TypePromotion.resultType(a.type(), a.isScalar(), b.type(), b.isScalar());
        DataType compute = op.computeType(promoted);
        Dense out = Dense.zeros(op.resultType(promoted), Layout.broadcastShape(a.shape(), b.shape()));
        long n = out.size();
        boolean floating = Elements.isFloating(compute);
        Precision precision = Precision.of(compute);
        if (Arrays.equals(a.shape(), out.shape()) && Arrays.equals(b.shape(), out.shape())) {
            for (long i = 0; i < n; i++) {
                store(op, a, i, b, i, out, i, floating, precision);
            }
            return out;
        }
        if (b.size() == 1 && Arrays.equals(a.shape(), out.shape())) {
            for (long i = 0; i < n; i++) {
                store(op, a, i, b, 0, out, i, floating, precision);
            }
            return out;
        }
        long[] sa = Layout.broadcastStrides(a.shape(), out.shape());
        long[] sb = Layout.broadcastStrides(b.shape(), out.shape());
        StridedCursor cursor = new StridedCursor(out.shape(), new long[2], sa, sb);
        for (long i = 0; i < n; i++) {
            store(op, a, cursor.offset(0), b, cursor.offset(1), out, i, floating, precision);
            cursor.next();
        }
        return out;
    }

    /** {@code op(target, b)} written back into {@code target}, which must keep its shape and hold the result type. */
    public static void binaryInPlace(BinaryOp op, Dense target, Dense b) {
        Dense result = binary(op, target, b);
        if (!Arrays.equals(result.shape(), target.shape())) {
            throw new IllegalArgumentException("in-place " + op + " of shape " + Arrays.toString(target.shape())
                    + " with " + Arrays.toString(b.shape()) + " would produce shape "
                    + Arrays.toString(result.shape()));
        }
        requireCastable(result.type(), target.type(), op.name());
        copyInto(result, target);
    }

    /** {@code op(x)} for each element. */
    public static Dense unary(UnaryOp op, Dense x) {
        Dense out = Dense.zeros(op.resultType(x.type()), x.shape());
        long n = x.size();
        if (op.integral(x.type())) {
            for (long i = 0; i < n; i++) {
                out.setLong(i, op.apply(x.getLong(i)));
            }
        } else {
            for (long i = 0; i < n; i++) {
                out.setDouble(i, op.apply(x.getDouble(i)));
            }
        }
        return out;
    }

    /** {@code op(x)} written back into {@code x}. */
    public static void unaryInPlace(UnaryOp op, Dense x) {
        Dense result = unary(op, x);
        requireCastable(result.type(), x.type(), op.name());
        copyInto(result, x);
    }

    /** {@code condition ? x : y}, all three broadcast, x and y promoted. */
    public static Dense where(Dense condition, Dense x, Dense y) {
        DataType type = TypePromotion.resultType(x.type(), x.isScalar(), y.type(), y.isScalar());
        long[] shape = Layout.broadcastShape(condition.shape(), Layout.broadcastShape(x.shape(), y.shape()));
        Dense out = Dense.zeros(type, shape);
        StridedCursor cursor = new StridedCursor(shape, new long[3],
                Layout.broadcastStrides(condition.shape(), shape),
                Layout.broadcastStrides(x.shape(), shape),
                Layout.broadcastStrides(y.shape(), shape));
        boolean floating = Elements.isFloating(type);
        for (long i = 0; i < out.size(); i++) {
            boolean pick = condition.getDouble(cursor.offset(0)) != 0;
            Dense src = pick ? x : y;
            long at = cursor.offset(pick ? 1 : 2);
            if (floating) {
                out.setDouble(i, src.getDouble(at));
            } else {
                out.setLong(i, src.getLong(at));
            }
            cursor.next();
        }
        return out;
    }

    /** Each element limited to {@code [min, max]} (NaN stays NaN). */
    public static Dense clip(Dense x, double min, double max) {
        Dense out = Dense.zeros(x.type(), x.shape());
        boolean floating = Elements.isFloating(x.type());
        for (long i = 0; i < x.size(); i++) {
            if (floating) {
                double v = x.getDouble(i);
                out.setDouble(i, Double.isNaN(v) ? v : Math.min(Math.max(v, min), max));
            } else {
                long v = x.getLong(i);
                out.setLong(i, (long) Math.min(Math.max(v, Math.ceil(min)), Math.floor(max)));
            }
        }
        return out;
    }

    /** A zero-dimensional array holding {@code n} in the type DJL gives that number. */
    public static Dense scalar(Number n) {
        DataType type = TypePromotion.typeOf(n);
        Dense out = Dense.zeros(type, new long[0]);
        if (Elements.isFloating(type)) {
            out.setDouble(0, n.doubleValue());
        } else {
            out.setLong(0, n.longValue());
        }
        return out;
    }

    /** An array of {@code shape} filled with {@code value}. */
    public static Dense full(DataType type, long[] shape, double value) {
        Dense out = Dense.zeros(type, shape);
        if (Double.doubleToRawLongBits(value) != 0) {
            for (long i = 0; i < out.size(); i++) {
                out.setDouble(i, value);
            }
        }
        return out;
    }

    private static void requireCastable(DataType result, DataType target, String op) {
        if (TypePromotion.category(result) > TypePromotion.category(target)) {
            throw new IllegalArgumentException("in-place " + op + ": result type " + result
                    + " can't be cast to the array's type " + target);
        }
    }

    private static void copyInto(Dense src, Dense dst) {
        Dense converted = src.type() == dst.type() ? src : Layout.convert(src, dst.type());
        MemorySegment.copy(converted.data(), 0, dst.data(), 0, converted.data().byteSize());
    }

    private static void store(BinaryOp op, Dense a, long ia, Dense b, long ib, Dense out, long io, boolean floating,
            Precision precision) {
        if (floating) {
            double x = precision.round(a.getDouble(ia));
            double y = precision.round(b.getDouble(ib));
            out.setDouble(io, precision.round(op.apply(x, y)));
        } else {
            out.setLong(io, op.apply(a.getLong(ia), b.getLong(ib)));
        }
    }
}
