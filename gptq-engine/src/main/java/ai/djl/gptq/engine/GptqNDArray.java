package ai.djl.gptq.engine;

import ai.djl.gptq.tensor.BinaryOp;
import ai.djl.gptq.tensor.Dense;
import ai.djl.gptq.tensor.Elements;
import ai.djl.gptq.tensor.Elementwise;
import ai.djl.gptq.tensor.Layout;
import ai.djl.gptq.tensor.MatMul;
import ai.djl.gptq.tensor.Ordering;
import ai.djl.gptq.tensor.Reduction;
import ai.djl.gptq.tensor.UnaryOp;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrayAdapter;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.internal.NDArrayEx;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * A dense array of the {@value GptqEngine#ENGINE_NAME} engine: contiguous row-major data on the Java heap (or a
 * wrapped segment), computed natively for creation, arithmetic, reductions, matMul, layout, indexing, sorting and
 * softmax. The remaining ops run on the alternative engine when there is one (their results are then that engine's
 * arrays), else throw {@link UnsupportedOperationException} naming the op.
 *
 * <p>Reshapes share the data (like PyTorch views); every other op returns a new array attached to this array's
 * manager.
 */
public class GptqNDArray extends NDArrayAdapter {

    private Dense dense;

    GptqNDArray(GptqNDManager manager, NDManager alternativeManager, Dense dense) {
        super(manager, alternativeManager, new Shape(dense.shape()), dense.type(), NDManager.nextUid());
        this.dense = dense;
        manager.attachInternal(uid, this);
    }

    /** The data; throws once the array is closed. */
    public Dense dense() {
        if (isClosed) {
            throw new IllegalStateException("GPTQ array " + uid + " has been closed");
        }
        return dense;
    }

    // ---- conversions and data access

    @Override
    public ByteBuffer toByteBuffer(boolean tryDirect) {
        Dense d = dense();
        int bytes = Math.toIntExact(d.data().byteSize());
        ByteBuffer bb = tryDirect ? ByteBuffer.allocateDirect(bytes) : ByteBuffer.allocate(bytes);
        bb.order(ByteOrder.nativeOrder());
        MemorySegment.copy(d.data(), 0, MemorySegment.ofBuffer(bb), 0, bytes);
        return bb;
    }

    @Override
    public float[] toFloatArray() {
        if (getDataType() != DataType.FLOAT32) {
            throw new IllegalStateException("DataType mismatch, Required float Actual " + getDataType());
        }
        float[] out = new float[Math.toIntExact(size())];
        MemorySegment.copy(dense().data(), ValueLayout.JAVA_FLOAT_UNALIGNED, 0, out, 0, out.length);
        return out;
    }

    @Override
    public NDArray toType(DataType type, boolean copy) {
        if (type == getDataType() && !copy) {
            return this;
        }
        NDArray array = result(Layout.convert(dense(), type));
        array.setName(getName());
        return array;
    }

    @Override
    public void set(Buffer buffer) {
        Dense d = dense();
        int size = Math.toIntExact(d.size());
        BaseNDManager.validateBuffer(buffer, d.type(), size);
        ByteBuffer bytes;
        if (buffer instanceof ByteBuffer bb) {
            bytes = bb.duplicate();
        } else {
            bytes = ByteBuffer.allocate(size * d.type().getNumOfBytes()).order(ByteOrder.nativeOrder());
            BaseNDManager.copyBuffer(buffer, bytes);
        }
        MemorySegment.copy(MemorySegment.ofBuffer(bytes), 0, d.data(), 0, d.data().byteSize());
    }

    @Override
    public NDArray duplicate() {
        NDArray array = result(Layout.convert(dense(), getDataType()));
        array.setName(getName());
        return array;
    }

    @Override
    public void intern(NDArray replaced) {
        Dense d = operand(replaced);
        if (replaced instanceof GptqNDArray) {
            replaced.close();
        }
        this.dense = d;
        this.shape = new Shape(d.shape());
        this.dataType = d.type();
    }

    @Override
    public void detach() {
        manager.detachInternal(getUid());
        manager = GptqNDManager.getSystemManager();
    }

    @Override
    public void close() {
        super.close();
        dense = null;
    }

    @Override
    public boolean contentEquals(NDArray other) {
        if (!getShape().equals(other.getShape()) || getDataType() != other.getDataType()) {
            return false;
        }
        Dense a = dense();
        Dense b = operand(other);
        for (long i = 0; i < a.size(); i++) {
            if (Elements.isFloating(a.type()) ? a.getDouble(i) != b.getDouble(i) : a.getLong(i) != b.getLong(i)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public NDArray toDense() {
        return this;
    }

    // ---- indexing

    @Override
    public NDArray get(NDIndex index) {
        return get(manager, index);
    }

    @Override
    public NDArray get(NDManager target, NDIndex index) {
        return new GptqNDArrayIndexer(target).get(this, index);
    }

    @Override
    public void set(NDIndex index, NDArray value) {
        new GptqNDArrayIndexer(manager).set(this, index, value);
    }

    @Override
    public void set(NDIndex index, Number value) {
        new GptqNDArrayIndexer(manager).set(this, index, value);
    }

    @Override
    public void set(NDIndex index, Function<NDArray, NDArray> function) {
        NDArray current = get(index);
        set(index, function.apply(current));
    }

    @Override
    public void set(NDArray index, Number value) {
        set(new NDIndex("{}", index), value);
    }

    @Override
    public void setScalar(NDIndex index, Number value) {
        new GptqNDArrayIndexer(manager).setScalar(this, index, value);
    }

    @Override
    public NDArray gather(NDArray index, int axis) {
        return result(Layout.gather(dense(), axis, operand(index)));
    }

    @Override
    public NDArray take(NDManager target, NDArray index) {
        return in(target, Layout.take(dense(), operand(index)));
    }

    @Override
    public NDArray booleanMask(NDArray index, int axis) {
        Dense mask = operand(index);
        Dense x = dense();
        int a = Layout.normalizeAxis(axis, Math.max(1, x.rank()));
        long[] shape = x.shape();
        if (a + mask.rank() > shape.length
                || !Arrays.equals(mask.shape(), Arrays.copyOfRange(shape, a, a + mask.rank()))) {
            throw new IllegalArgumentException("boolean mask of shape " + Arrays.toString(mask.shape())
                    + " does not match shape " + Arrays.toString(shape) + " at axis " + axis);
        }
        List<Long> selected = new ArrayList<>();
        for (long i = 0; i < mask.size(); i++) {
            if (mask.getDouble(i) != 0) {
                selected.add(i);
            }
        }
        Dense indices = Dense.zeros(DataType.INT64, new long[] {selected.size()});
        for (int i = 0; i < selected.size(); i++) {
            indices.setLong(i, selected.get(i));
        }
        long[] merged = new long[shape.length - mask.rank() + 1];
        System.arraycopy(shape, 0, merged, 0, a);
        merged[a] = mask.size();
        System.arraycopy(shape, a + mask.rank(), merged, a + 1, shape.length - a - mask.rank());
        return result(Layout.indexSelect(x.reshape(merged), a, indices));
    }

    // ---- comparisons and arithmetic

    @Override
    public NDArray eq(Number n) {
        return binary(BinaryOp.EQ, n);
    }

    @Override
    public NDArray eq(NDArray other) {
        return binary(BinaryOp.EQ, other);
    }

    @Override
    public NDArray neq(Number n) {
        return binary(BinaryOp.NEQ, n);
    }

    @Override
    public NDArray neq(NDArray other) {
        return binary(BinaryOp.NEQ, other);
    }

    @Override
    public NDArray gt(Number n) {
        return binary(BinaryOp.GT, n);
    }

    @Override
    public NDArray gt(NDArray other) {
        return binary(BinaryOp.GT, other);
    }

    @Override
    public NDArray gte(Number n) {
        return binary(BinaryOp.GTE, n);
    }

    @Override
    public NDArray gte(NDArray other) {
        return binary(BinaryOp.GTE, other);
    }

    @Override
    public NDArray lt(Number n) {
        return binary(BinaryOp.LT, n);
    }

    @Override
    public NDArray lt(NDArray other) {
        return binary(BinaryOp.LT, other);
    }

    @Override
    public NDArray lte(Number n) {
        return binary(BinaryOp.LTE, n);
    }

    @Override
    public NDArray lte(NDArray other) {
        return binary(BinaryOp.LTE, other);
    }

    @Override
    public NDArray add(Number n) {
        return binary(BinaryOp.ADD, n);
    }

    @Override
    public NDArray add(NDArray other) {
        return binary(BinaryOp.ADD, other);
    }

    @Override
    public NDArray sub(Number n) {
        return binary(BinaryOp.SUB, n);
    }

    @Override
    public NDArray sub(NDArray other) {
        return binary(BinaryOp.SUB, other);
    }

    @Override
    public NDArray mul(Number n) {
        return binary(BinaryOp.MUL, n);
    }

    @Override
    public NDArray mul(NDArray other) {
        return binary(BinaryOp.MUL, other);
    }

    @Override
    public NDArray div(Number n) {
        return binary(BinaryOp.DIV, n);
    }

    @Override
    public NDArray div(NDArray other) {
        return binary(BinaryOp.DIV, other);
    }

    @Override
    public NDArray mod(Number n) {
        return binary(BinaryOp.MOD, n);
    }

    @Override
    public NDArray mod(NDArray other) {
        return binary(BinaryOp.MOD, other);
    }

    @Override
    public NDArray pow(Number n) {
        return binary(BinaryOp.POW, n);
    }

    @Override
    public NDArray pow(NDArray other) {
        return binary(BinaryOp.POW, other);
    }

    @Override
    public NDArray maximum(Number n) {
        return binary(BinaryOp.MAXIMUM, n);
    }

    @Override
    public NDArray maximum(NDArray other) {
        return binary(BinaryOp.MAXIMUM, other);
    }

    @Override
    public NDArray minimum(Number n) {
        return binary(BinaryOp.MINIMUM, n);
    }

    @Override
    public NDArray minimum(NDArray other) {
        return binary(BinaryOp.MINIMUM, other);
    }

    @Override
    public NDArray atan2(NDArray other) {
        return binary(BinaryOp.ATAN2, other);
    }

    @Override
    public NDArray logicalAnd(NDArray other) {
        return binary(BinaryOp.AND, other);
    }

    @Override
    public NDArray logicalOr(NDArray other) {
        return binary(BinaryOp.OR, other);
    }

    @Override
    public NDArray logicalXor(NDArray other) {
        return binary(BinaryOp.XOR, other);
    }

    @Override
    public NDArray addi(Number n) {
        return inPlace(BinaryOp.ADD, Elementwise.scalar(n));
    }

    @Override
    public NDArray addi(NDArray other) {
        return inPlace(BinaryOp.ADD, operand(other));
    }

    @Override
    public NDArray subi(Number n) {
        return inPlace(BinaryOp.SUB, Elementwise.scalar(n));
    }

    @Override
    public NDArray subi(NDArray other) {
        return inPlace(BinaryOp.SUB, operand(other));
    }

    @Override
    public NDArray muli(Number n) {
        return inPlace(BinaryOp.MUL, Elementwise.scalar(n));
    }

    @Override
    public NDArray muli(NDArray other) {
        return inPlace(BinaryOp.MUL, operand(other));
    }

    @Override
    public NDArray divi(Number n) {
        return inPlace(BinaryOp.DIV, Elementwise.scalar(n));
    }

    @Override
    public NDArray divi(NDArray other) {
        return inPlace(BinaryOp.DIV, operand(other));
    }

    @Override
    public NDArray modi(Number n) {
        return inPlace(BinaryOp.MOD, Elementwise.scalar(n));
    }

    @Override
    public NDArray modi(NDArray other) {
        return inPlace(BinaryOp.MOD, operand(other));
    }

    @Override
    public NDArray powi(Number n) {
        return inPlace(BinaryOp.POW, Elementwise.scalar(n));
    }

    @Override
    public NDArray powi(NDArray other) {
        return inPlace(BinaryOp.POW, operand(other));
    }

    @Override
    public NDArray xlogy(NDArray other) {
        throw unsupported("xlogy");
    }

    // ---- unary

    @Override
    public NDArray sign() {
        return unary(UnaryOp.SIGN);
    }

    @Override
    public NDArray signi() {
        Elementwise.unaryInPlace(UnaryOp.SIGN, dense());
        return this;
    }

    @Override
    public NDArray neg() {
        return unary(UnaryOp.NEG);
    }

    @Override
    public NDArray negi() {
        Elementwise.unaryInPlace(UnaryOp.NEG, dense());
        return this;
    }

    @Override
    public NDArray abs() {
        return unary(UnaryOp.ABS);
    }

    @Override
    public NDArray square() {
        return unary(UnaryOp.SQUARE);
    }

    @Override
    public NDArray sqrt() {
        return unary(UnaryOp.SQRT);
    }

    @Override
    public NDArray cbrt() {
        return unary(UnaryOp.CBRT);
    }

    @Override
    public NDArray floor() {
        return unary(UnaryOp.FLOOR);
    }

    @Override
    public NDArray ceil() {
        return unary(UnaryOp.CEIL);
    }

    @Override
    public NDArray round() {
        return unary(UnaryOp.ROUND);
    }

    @Override
    public NDArray trunc() {
        return unary(UnaryOp.TRUNC);
    }

    @Override
    public NDArray exp() {
        return unary(UnaryOp.EXP);
    }

    @Override
    public NDArray log() {
        return unary(UnaryOp.LOG);
    }

    @Override
    public NDArray log10() {
        return unary(UnaryOp.LOG10);
    }

    @Override
    public NDArray log2() {
        return unary(UnaryOp.LOG2);
    }

    @Override
    public NDArray sin() {
        return unary(UnaryOp.SIN);
    }

    @Override
    public NDArray cos() {
        return unary(UnaryOp.COS);
    }

    @Override
    public NDArray tan() {
        return unary(UnaryOp.TAN);
    }

    @Override
    public NDArray asin() {
        return unary(UnaryOp.ASIN);
    }

    @Override
    public NDArray acos() {
        return unary(UnaryOp.ACOS);
    }

    @Override
    public NDArray atan() {
        return unary(UnaryOp.ATAN);
    }

    @Override
    public NDArray sinh() {
        return unary(UnaryOp.SINH);
    }

    @Override
    public NDArray cosh() {
        return unary(UnaryOp.COSH);
    }

    @Override
    public NDArray tanh() {
        return unary(UnaryOp.TANH);
    }

    @Override
    public NDArray asinh() {
        return unary(UnaryOp.ASINH);
    }

    @Override
    public NDArray acosh() {
        return unary(UnaryOp.ACOSH);
    }

    @Override
    public NDArray atanh() {
        return unary(UnaryOp.ATANH);
    }

    @Override
    public NDArray toDegrees() {
        return unary(UnaryOp.TO_DEGREES);
    }

    @Override
    public NDArray toRadians() {
        return unary(UnaryOp.TO_RADIANS);
    }

    @Override
    public NDArray logicalNot() {
        return unary(UnaryOp.LOGICAL_NOT);
    }

    @Override
    public NDArray isNaN() {
        return unary(UnaryOp.IS_NAN);
    }

    @Override
    public NDArray isInfinite() {
        return unary(UnaryOp.IS_INFINITE);
    }

    @Override
    public NDArray erf() {
        return unary(UnaryOp.ERF);
    }

    @Override
    public NDArray clip(Number min, Number max) {
        return result(Elementwise.clip(dense(), min.doubleValue(), max.doubleValue()));
    }

    // ---- reductions

    @Override
    public NDArray max() {
        return reduce(Reduction.MAX, null, false);
    }

    @Override
    public NDArray max(int[] axes, boolean keepDims) {
        return reduce(Reduction.MAX, axes, keepDims);
    }

    @Override
    public NDArray min() {
        return reduce(Reduction.MIN, null, false);
    }

    @Override
    public NDArray min(int[] axes, boolean keepDims) {
        return reduce(Reduction.MIN, axes, keepDims);
    }

    @Override
    public NDArray sum() {
        return reduce(Reduction.SUM, null, false);
    }

    @Override
    public NDArray sum(int[] axes, boolean keepDims) {
        return reduce(Reduction.SUM, axes, keepDims);
    }

    @Override
    public NDArray prod() {
        return reduce(Reduction.PROD, null, false);
    }

    @Override
    public NDArray prod(int[] axes, boolean keepDims) {
        return reduce(Reduction.PROD, axes, keepDims);
    }

    @Override
    public NDArray mean() {
        return reduce(Reduction.MEAN, null, false);
    }

    @Override
    public NDArray mean(int[] axes, boolean keepDims) {
        return reduce(Reduction.MEAN, axes, keepDims);
    }

    @Override
    public NDArray argMax() {
        if (isEmpty()) {
            throw new IllegalArgumentException("attempt to get argMax of an empty NDArray");
        }
        return reduce(Reduction.ARG_MAX, null, false);
    }

    @Override
    public NDArray argMax(int axis) {
        if (getShape().isScalar()) {
            return reduce(Reduction.ARG_MAX, null, false);
        }
        return reduce(Reduction.ARG_MAX, new int[] {axis}, false);
    }

    @Override
    public NDArray argMin() {
        if (isEmpty()) {
            throw new IllegalArgumentException("attempt to get argMin of an empty NDArray");
        }
        return reduce(Reduction.ARG_MIN, null, false);
    }

    @Override
    public NDArray argMin(int axis) {
        if (getShape().isScalar()) {
            return reduce(Reduction.ARG_MIN, null, false);
        }
        return reduce(Reduction.ARG_MIN, new int[] {axis}, false);
    }

    @Override
    public NDArray all() {
        return reduce(Reduction.ALL, null, false);
    }

    @Override
    public NDArray any() {
        return reduce(Reduction.ANY, null, false);
    }

    @Override
    public NDArray cumSum() {
        if (getShape().isScalar()) {
            return reshape(1);
        }
        return cumSum(0);
    }

    @Override
    public NDArray cumSum(int axis) {
        return cumulative(dense(), axis, false);
    }

    @Override
    public NDArray cumProd(int axis) {
        return cumulative(dense(), axis, true);
    }

    @Override
    public NDArray cumProd(int axis, DataType type) {
        return cumulative(Layout.convert(dense(), type), axis, true);
    }

    // ---- shape and layout

    @Override
    public NDArray reshape(Shape newShape) {
        long[] dims = newShape.getShape().clone();
        int unknown = -1;
        long known = 1;
        for (int d = 0; d < dims.length; d++) {
            if (dims[d] == -1) {
                if (unknown >= 0) {
                    throw new IllegalArgumentException("reshape to " + newShape + ": only one dimension can be -1");
                }
                unknown = d;
            } else if (dims[d] < 0) {
                throw new IllegalArgumentException("reshape to " + newShape + ": negative dimension");
            } else {
                known *= dims[d];
            }
        }
        long size = size();
        if (unknown >= 0) {
            if (known == 0 || size % known != 0) {
                throw new IllegalArgumentException("cannot reshape " + getShape() + " to " + newShape);
            }
            dims[unknown] = size / known;
        }
        if (Dense.sizeOf(dims) != size) {
            throw new IllegalArgumentException("cannot reshape " + getShape() + " to " + newShape);
        }
        return result(dense().reshape(dims));
    }

    @Override
    public NDArray expandDims(int axis) {
        long[] s = dense().shape();
        int a = Layout.normalizeAxis(axis, s.length + 1);
        long[] dims = new long[s.length + 1];
        System.arraycopy(s, 0, dims, 0, a);
        dims[a] = 1;
        System.arraycopy(s, a, dims, a + 1, s.length - a);
        return result(dense().reshape(dims));
    }

    @Override
    public NDArray squeeze() {
        long[] dims = Arrays.stream(dense().shape()).filter(d -> d != 1).toArray();
        return result(dense().reshape(dims));
    }

    @Override
    public NDArray squeeze(int[] axes) {
        long[] s = dense().shape();
        boolean[] drop = new boolean[s.length];
        for (int axis : axes) {
            if (s.length == 0 && (axis == 0 || axis == -1)) {
                continue;
            }
            int a = Layout.normalizeAxis(axis, s.length);
            if (s[a] != 1) {
                throw new IllegalArgumentException("cannot squeeze axis " + axis + " of size " + s[a]);
            }
            drop[a] = true;
        }
        List<Long> dims = new ArrayList<>();
        for (int d = 0; d < s.length; d++) {
            if (!drop[d]) {
                dims.add(s[d]);
            }
        }
        return result(dense().reshape(dims.stream().mapToLong(Long::longValue).toArray()));
    }

    @Override
    public NDArray flatten() {
        return reshape(new Shape(size()));
    }

    @Override
    public NDArray flatten(int startDim, int endDim) {
        long[] s = dense().shape();
        if (s.length == 0) {
            return reshape(new Shape(1));
        }
        int start = Layout.normalizeAxis(startDim, s.length);
        int end = Layout.normalizeAxis(endDim, s.length);
        if (start > end) {
            throw new IllegalArgumentException("flatten start " + startDim + " is after end " + endDim);
        }
        long[] dims = new long[s.length - (end - start)];
        System.arraycopy(s, 0, dims, 0, start);
        long merged = 1;
        for (int d = start; d <= end; d++) {
            merged *= s[d];
        }
        dims[start] = merged;
        System.arraycopy(s, end + 1, dims, start + 1, s.length - end - 1);
        return result(dense().reshape(dims));
    }

    @Override
    public NDArray transpose() {
        int rank = dense().rank();
        int[] axes = new int[rank];
        for (int d = 0; d < rank; d++) {
            axes[d] = rank - 1 - d;
        }
        return transpose(axes);
    }

    @Override
    public NDArray transpose(int... axes) {
        if (getShape().isScalar() && axes.length > 0) {
            throw new IllegalArgumentException("axes don't match NDArray");
        }
        return result(Layout.permute(dense(), axes));
    }

    @Override
    public NDArray swapAxes(int axis1, int axis2) {
        int rank = dense().rank();
        int[] axes = new int[rank];
        for (int d = 0; d < rank; d++) {
            axes[d] = d;
        }
        int a = Layout.normalizeAxis(axis1, rank);
        int b = Layout.normalizeAxis(axis2, rank);
        axes[a] = b;
        axes[b] = a;
        return transpose(axes);
    }

    @Override
    public NDArray broadcast(Shape target) {
        return result(Layout.broadcastTo(dense(), target.getShape()));
    }

    @Override
    public NDArray flip(int... axes) {
        return result(Layout.flip(dense(), axes));
    }

    @Override
    public NDList split(long sections, int axis) {
        long length = getShape().get(Layout.normalizeAxis(axis, dense().rank()));
        if (sections <= 0 || length % sections != 0) {
            throw new IllegalArgumentException("axis of size " + length + " cannot be split into " + sections
                    + " equal sections");
        }
        long step = length / sections;
        long[] indices = new long[(int) sections - 1];
        for (int i = 0; i < indices.length; i++) {
            indices[i] = (i + 1) * step;
        }
        return split(indices, axis);
    }

    @Override
    public NDList split(long[] indices, int axis) {
        Dense x = dense();
        int a = Layout.normalizeAxis(axis, x.rank());
        NDList parts = new NDList();
        long start = 0;
        for (int i = 0; i <= indices.length; i++) {
            long end = i < indices.length ? Math.min(indices[i], x.shape()[a]) : x.shape()[a];
            end = Math.max(end, start);
            long[] min = new long[x.rank()];
            long[] step = new long[x.rank()];
            long[] shape = x.shape().clone();
            Arrays.fill(step, 1);
            min[a] = start;
            shape[a] = end - start;
            parts.add(result(Layout.slice(x, min, step, shape)));
            start = end;
        }
        return parts;
    }

    @Override
    public NDArray tile(long repeats) {
        long[] reps = new long[Math.max(1, dense().rank())];
        Arrays.fill(reps, repeats);
        return tile(reps);
    }

    @Override
    public NDArray tile(int axis, long repeats) {
        long[] reps = new long[dense().rank()];
        Arrays.fill(reps, 1);
        reps[Layout.normalizeAxis(axis, reps.length)] = repeats;
        return tile(reps);
    }

    @Override
    public NDArray tile(long[] repeats) {
        return result(Layout.tile(dense(), repeats));
    }

    @Override
    public NDArray tile(Shape desiredShape) {
        return tile(repeatsToMatch(desiredShape));
    }

    @Override
    public NDArray repeat(long repeats) {
        long[] reps = new long[Math.max(1, dense().rank())];
        Arrays.fill(reps, repeats);
        return repeat(reps);
    }

    @Override
    public NDArray repeat(int axis, long repeats) {
        return result(Layout.repeat(dense(), axis, repeats));
    }

    @Override
    public NDArray repeat(long[] repeats) {
        Dense x = dense().rank() == 0 ? dense().reshape(new long[] {1}) : dense();
        for (int axis = 0; axis < repeats.length; axis++) {
            x = Layout.repeat(x, axis, repeats[axis]);
        }
        return result(x);
    }

    @Override
    public NDArray repeat(Shape desiredShape) {
        return repeat(repeatsToMatch(desiredShape));
    }

    // ---- products

    @Override
    public NDArray dot(NDArray other) {
        Dense b = operand(other);
        if (dense().isScalar() || b.isScalar()) {
            return binary(BinaryOp.MUL, other);
        }
        if (b.rank() > 2 || (dense().rank() > 2 && b.rank() != 1)) {
            throw new UnsupportedOperationException("dot of shapes " + getShape() + " and " + other.getShape()
                    + " is not supported by engine GPTQ; use matMul");
        }
        return matMul(other);
    }

    @Override
    public NDArray matMul(NDArray other) {
        if (getShape().isScalar() || other.getShape().isScalar()) {
            throw new IllegalArgumentException("scalar is not allowed for matMul()");
        }
        if (other instanceof QuantizedNDArray q) {
            return result(q.multiply(dense()));
        }
        return result(MatMul.apply(dense(), operand(other)));
    }

    @Override
    public NDArray batchMatMul(NDArray other) {
        Dense a = dense();
        Dense b = operand(other);
        if (a.rank() != 3 || b.rank() != 3 || a.shape()[0] != b.shape()[0]) {
            throw new IllegalArgumentException("batchMatMul needs two 3-D arrays with the same batch size, got "
                    + getShape() + " and " + other.getShape());
        }
        return result(MatMul.apply(a, b));
    }

    // ---- sorting and normalizing

    @Override
    public NDArray sort() {
        return sort(-1);
    }

    @Override
    public NDArray sort(int axis) {
        Dense x = dense();
        return result(Ordering.sort(x, axis, true, (int) x.shape()[Layout.normalizeAxis(axis, x.rank())])[0]);
    }

    @Override
    public NDArray argSort(int axis, boolean ascending) {
        Dense x = dense();
        return result(Ordering.sort(x, axis, ascending, (int) x.shape()[Layout.normalizeAxis(axis, x.rank())])[1]);
    }

    @Override
    public NDList topK(int k, int axis, boolean largest, boolean sorted) {
        Dense[] valuesAndIndices = Ordering.sort(dense(), axis, !largest, k);
        return new NDList(result(valuesAndIndices[0]), result(valuesAndIndices[1]));
    }

    @Override
    public NDArray softmax(int axis) {
        return result(Ordering.softmax(dense(), axis, false));
    }

    @Override
    public NDArray logSoftmax(int axis) {
        return result(Ordering.softmax(dense(), axis, true));
    }

    @Override
    public NDArray oneHot(int depth, float onValue, float offValue, DataType type) {
        Dense x = dense();
        long[] shape = Arrays.copyOf(x.shape(), x.rank() + 1);
        shape[x.rank()] = depth;
        Dense out = Elementwise.full(Elements.requireSupported(type), shape, offValue);
        for (long i = 0; i < x.size(); i++) {
            long k = x.getLong(i);
            if (k < 0 || k >= depth) {
                throw new IndexOutOfBoundsException("oneHot index " + k + " is out of range for depth " + depth);
            }
            out.setDouble(i * depth + k, onValue);
        }
        return result(out);
    }

    @Override
    public NDArray nonzero() {
        Dense x = dense();
        List<Long> hits = new ArrayList<>();
        for (long i = 0; i < x.size(); i++) {
            if (x.getDouble(i) != 0) {
                hits.add(i);
            }
        }
        int rank = x.rank();
        Dense out = Dense.zeros(DataType.INT64, new long[] {hits.size(), rank});
        long[] strides = Dense.stridesOf(x.shape());
        for (int h = 0; h < hits.size(); h++) {
            long rest = hits.get(h);
            for (int d = 0; d < rank; d++) {
                out.setLong((long) h * rank + d, rest / strides[d]);
                rest %= strides[d];
            }
        }
        return result(out);
    }

    @Override
    public NDArrayEx getNDArrayInternal() {
        return new GptqNDArrayEx(this);
    }

    // ---- ops run by the alternative engine, or refused

    @Override
    public NDArray gammaln() {
        return alternative("gammaln").gammaln();
    }

    @Override
    public NDArray erfinv() {
        return alternative("erfinv").erfinv();
    }

    @Override
    public NDArray inverse() {
        return alternative("inverse").inverse();
    }

    @Override
    public NDArray gatherNd(NDArray index) {
        return alternative("gatherNd").gatherNd(alternativeManager.from(index));
    }

    @Override
    public NDArray sequenceMask(NDArray sequenceLength, float value) {
        return alternative("sequenceMask").sequenceMask(alternativeManager.from(sequenceLength), value);
    }

    @Override
    public NDArray sequenceMask(NDArray sequenceLength) {
        return sequenceMask(sequenceLength, 0);
    }

    @Override
    public NDArray normalize(double exponent, long dim, double eps) {
        return alternative("normalize").normalize(exponent, dim, eps);
    }

    @Override
    public NDArray rotate90(int times, int[] axes) {
        return alternative("rotate90").rotate90(times, axes);
    }

    @Override
    public NDArray trace(int offset, int axis1, int axis2) {
        return alternative("trace").trace(offset, axis1, axis2);
    }

    @Override
    public NDArray diagonal() {
        return alternative("diagonal").diagonal();
    }

    @Override
    public NDArray diagonal(int offset) {
        return alternative("diagonal").diagonal(offset);
    }

    @Override
    public NDArray diagonal(int offset, int axis1, int axis2) {
        return alternative("diagonal").diagonal(offset, axis1, axis2);
    }

    @Override
    public NDArray percentile(Number percentile) {
        return alternative("percentile").percentile(percentile);
    }

    @Override
    public NDArray percentile(Number percentile, int[] axes) {
        return alternative("percentile").percentile(percentile, axes);
    }

    @Override
    public NDArray median() {
        return alternative("median").median();
    }

    @Override
    public NDArray median(int[] axes) {
        return alternative("median").median(axes);
    }

    @Override
    public NDArray norm(boolean keepDims) {
        return alternative("norm").norm(keepDims);
    }

    @Override
    public NDArray norm(int ord, int[] axes, boolean keepDims) {
        return alternative("norm").norm(ord, axes, keepDims);
    }

    @Override
    public NDArray batchDot(NDArray other) {
        return alternative("batchDot").batchDot(alternativeManager.from(other));
    }

    @Override
    public NDArray toSparse(SparseFormat fmt) {
        return alternative("toSparse").toSparse(fmt);
    }

    @Override
    public NDArray put(NDArray index, NDArray value) {
        throw unsupported("put");
    }

    @Override
    public NDArray scatter(NDArray index, NDArray value, int axis) {
        throw unsupported("scatter");
    }

    @Override
    public NDArray fft(long length, long axis) {
        throw unsupported("fft");
    }

    @Override
    public NDArray ifft(long length, long axis) {
        throw unsupported("ifft");
    }

    @Override
    public NDArray rfft(long length, long axis) {
        throw unsupported("rfft");
    }

    @Override
    public NDArray irfft(long length, long axis) {
        throw unsupported("irfft");
    }

    @Override
    public NDArray stft(long nFft, long hopLength, boolean center, NDArray window, boolean normalize,
            boolean returnComplex) {
        throw unsupported("stft");
    }

    @Override
    public NDArray fft2(long[] sizes, long[] axes) {
        throw unsupported("fft2");
    }

    @Override
    public NDArray ifft2(long[] sizes, long[] axes) {
        throw unsupported("ifft2");
    }

    @Override
    public NDArray pad(Shape padding, double value) {
        throw unsupported("pad");
    }

    @Override
    public NDList unique(Integer dim, boolean sorted, boolean returnInverse, boolean returnCounts) {
        throw unsupported("unique");
    }

    @Override
    public NDArray complex() {
        throw unsupported("complex");
    }

    @Override
    public NDArray real() {
        throw unsupported("real");
    }

    @Override
    public NDArray conj() {
        throw unsupported("conj");
    }

    @Override
    public NDArray diff(int n, int dim) {
        throw unsupported("diff");
    }

    // ---- helpers

    /** A new array of this engine holding {@code d}, owned by this array's manager. */
    GptqNDArray result(Dense d) {
        return in(manager, d);
    }

    /** A new array of this engine holding {@code d}, owned by {@code owner} (which may be another engine's). */
    static GptqNDArray in(NDManager owner, Dense d) {
        if (owner instanceof GptqNDManager own) {
            return own.create(d);
        }
        GptqNDArray array = GptqNDManager.getSystemManager().create(d);
        array.attach(owner);
        return array;
    }

    /** The data of {@code other}: its own when it is an array of this engine, else a copy of its bytes. */
    static Dense operand(NDArray other) {
        if (other instanceof GptqNDArray g) {
            return g.dense();
        }
        if (other instanceof QuantizedNDArray) {
            throw QuantizedNDArray.unsupported();
        }
        DataType type = Elements.requireSupported(other.getDataType());
        Dense copy = Dense.zeros(type, other.getShape().getShape());
        ByteBuffer bytes = other.toByteBuffer();
        MemorySegment.copy(MemorySegment.ofBuffer(bytes), 0, copy.data(), 0, copy.data().byteSize());
        return copy;
    }

    static UnsupportedOperationException unsupported(String op) {
        return new UnsupportedOperationException(op + " is not supported by engine GPTQ");
    }

    private NDArray alternative(String op) {
        if (alternativeManager == null || alternativeManager == manager) {
            throw new UnsupportedOperationException(op + " is not supported by engine GPTQ and no alternative"
                    + " engine (PyTorch) is available");
        }
        return alternativeManager.from(this);
    }

    private NDArray binary(BinaryOp op, Number n) {
        return result(Elementwise.binary(op, dense(), Elementwise.scalar(n)));
    }

    private NDArray binary(BinaryOp op, NDArray other) {
        return result(Elementwise.binary(op, dense(), operand(other)));
    }

    private NDArray inPlace(BinaryOp op, Dense other) {
        Elementwise.binaryInPlace(op, dense(), other);
        return this;
    }

    private NDArray unary(UnaryOp op) {
        return result(Elementwise.unary(op, dense()));
    }

    private NDArray reduce(Reduction reduction, int[] axes, boolean keepDims) {
        return result(reduction.apply(dense(), axes, keepDims));
    }

    private NDArray cumulative(Dense x, int axis, boolean product) {
        int a = Layout.normalizeAxis(axis, x.rank());
        DataType type = Elements.isFloating(x.type()) ? x.type() : DataType.INT64;
        Dense out = Dense.zeros(type, x.shape());
        long length = x.shape()[a];
        long inner = 1;
        for (int d = a + 1; d < x.rank(); d++) {
            inner *= x.shape()[d];
        }
        long outer = length == 0 ? 0 : x.size() / (length * inner);
        boolean floating = Elements.isFloating(type);
        for (long o = 0; o < outer; o++) {
            for (long in = 0; in < inner; in++) {
                long base = o * length * inner + in;
                double acc = product ? 1 : 0;
                long accLong = product ? 1 : 0;
                for (long i = 0; i < length; i++) {
                    long at = base + i * inner;
                    if (floating) {
                        acc = product ? acc * x.getDouble(at) : acc + x.getDouble(at);
                        out.setDouble(at, acc);
                    } else {
                        accLong = product ? accLong * x.getLong(at) : accLong + x.getLong(at);
                        out.setLong(at, accLong);
                    }
                }
            }
        }
        return result(out);
    }

    private long[] repeatsToMatch(Shape desired) {
        long[] s = dense().shape();
        if (desired.dimension() != s.length) {
            throw new IllegalArgumentException("the desired shape " + desired + " must have the rank of " + getShape());
        }
        long[] reps = new long[s.length];
        for (int d = 0; d < s.length; d++) {
            if (s[d] == 0 || desired.get(d) % s[d] != 0) {
                throw new IllegalArgumentException("the desired shape " + desired + " is not a multiple of "
                        + getShape());
            }
            reps[d] = desired.get(d) / s[d];
        }
        return reps;
    }
}
