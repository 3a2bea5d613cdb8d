package ai.djl.gptq.engine;

import ai.djl.gptq.tensor.Dense;
import ai.djl.gptq.tensor.Elementwise;
import ai.djl.gptq.tensor.Layout;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDArrayIndexer;
import ai.djl.ndarray.index.full.NDIndexFullPick;
import ai.djl.ndarray.index.full.NDIndexFullSlice;
import ai.djl.ndarray.index.full.NDIndexFullTake;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.index.dim.NDIndexElement;
import ai.djl.ndarray.index.dim.NDIndexTake;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;

/**
 * {@code get}/{@code set} with an {@code NDIndex} on engine arrays. DJL's {@link NDArrayIndexer} reduces an index
 * to a full slice (fixed indices, ranges with a positive step, all), a pick ({@code torch.gather}) or a take of a
 * rank-1 index array along one axis (numpy's {@code a[:, idx]}); boolean masks go through booleanMask and where.
 */
final class GptqNDArrayIndexer extends NDArrayIndexer {

    private final NDManager manager;

    GptqNDArrayIndexer(NDManager manager) {
        this.manager = manager;
    }

    /**
     * Adds numpy's indexing by several integer arrays on the leading axes ({@code a[rows, cols, ...]}, as DJL's
     * beam and contrastive searches index), which DJL's generic indexer refuses: the index arrays broadcast to
     * one shape {@code S} and the result is {@code S} followed by the remaining axes.
     */
    @Override
    public NDArray get(NDArray array, NDIndex index) {
        List<NDIndexElement> elements = index.getIndices();
        int ellipsis = index.getEllipsisIndex();
        boolean leadingTakes = elements.size() >= 2 && (ellipsis == -1 || ellipsis == elements.size())
                && elements.stream().allMatch(e -> e instanceof NDIndexTake t && t.getIndex().getDataType().isInteger());
        if (!leadingTakes) {
            return super.get(array, index);
        }
        long[] shape = array.getShape().getShape();
        int k = elements.size();
        if (k > shape.length) {
            throw new IllegalArgumentException(k + " index arrays for an array of rank " + shape.length);
        }
        Shape common = ((NDIndexTake) elements.get(0)).getIndex().getShape();
        for (NDIndexElement e : elements) {
            common = broadcast(common, ((NDIndexTake) e).getIndex().getShape());
        }
        long[] flat = new long[Math.toIntExact(common.size())];
        long stride = 1;
        for (int axis = k - 1; axis >= 0; axis--) {
            long[] idx = ((NDIndexTake) elements.get(axis)).getIndex().broadcast(common).toLongArray();
            for (int i = 0; i < flat.length; i++) {
                long j = idx[i] < 0 ? idx[i] + shape[axis] : idx[i];
                if (j < 0 || j >= shape[axis]) {
                    throw new IndexOutOfBoundsException("index " + idx[i] + " is out of bounds for axis " + axis
                            + " of size " + shape[axis]);
                }
                flat[i] += j * stride;
            }
            stride *= shape[axis];
        }
        long[] rest = Arrays.copyOfRange(shape, k, shape.length);
        long[] merged = new long[rest.length + 1];
        merged[0] = stride;
        System.arraycopy(rest, 0, merged, 1, rest.length);
        long[] outShape = new long[common.dimension() + rest.length];
        System.arraycopy(common.getShape(), 0, outShape, 0, common.dimension());
        System.arraycopy(rest, 0, outShape, common.dimension(), rest.length);
        try (NDArray rows = manager.create(flat)) {
            Dense picked = Layout.indexSelect(GptqNDArray.operand(array).reshape(merged), 0, GptqNDArray.operand(rows));
            return wrap(picked.reshape(outShape));
        }
    }

    private static Shape broadcast(Shape a, Shape b) {
        int rank = Math.max(a.dimension(), b.dimension());
        long[] out = new long[rank];
        for (int d = 0; d < rank; d++) {
            int da = d - (rank - a.dimension());
            int db = d - (rank - b.dimension());
            long x = da < 0 ? 1 : a.get(da);
            long y = db < 0 ? 1 : b.get(db);
            if (x != y && x != 1 && y != 1) {
                throw new IllegalArgumentException("index arrays of shapes " + a + " and " + b + " do not broadcast");
            }
            out[d] = x == 1 ? y : x;
        }
        return new Shape(out);
    }

    @Override
    public NDArray get(NDArray array, NDIndexFullPick fullPick) {
        Dense x = GptqNDArray.operand(array);
        return wrap(Layout.gather(x, fullPick.getAxis(), GptqNDArray.operand(fullPick.getIndices())));
    }

    @Override
    public NDArray get(NDArray array, NDIndexFullTake fullTake) {
        Dense x = GptqNDArray.operand(array);
        return wrap(Layout.indexSelect(x, fullTake.getAxis(), GptqNDArray.operand(fullTake.getIndices())));
    }

    @Override
    public NDArray get(NDArray array, NDIndexFullSlice fullSlice) {
        Dense x = GptqNDArray.operand(array);
        checkSlice(fullSlice, x.shape());
        Dense sliced = Layout.slice(x, fullSlice.getMin(), fullSlice.getStep(), fullSlice.getShape().getShape());
        return wrap(sliced.reshape(fullSlice.getSqueezedShape().getShape()));
    }

    @Override
    public void set(NDArray array, NDIndexFullSlice fullSlice, NDArray value) {
        assign(array, fullSlice, GptqNDArray.operand(value));
    }

    @Override
    public void set(NDArray array, NDIndexFullSlice fullSlice, Number value) {
        assign(array, fullSlice, Elementwise.scalar(value));
    }

    private void assign(NDArray array, NDIndexFullSlice fullSlice, Dense value) {
        if (!(array instanceof GptqNDArray target)) {
            throw new IllegalArgumentException("engine GPTQ can only assign into its own arrays");
        }
        Dense x = target.dense();
        checkSlice(fullSlice, x.shape());
        long[] region = fullSlice.getShape().getShape();
        Dense v = value;
        if (Arrays.equals(v.shape(), fullSlice.getSqueezedShape().getShape())) {
            v = v.reshape(region);
        }
        Layout.assignSlice(x, fullSlice.getMin(), fullSlice.getStep(), region, v);
    }

    private static void checkSlice(NDIndexFullSlice fullSlice, long[] shape) {
        long[] min = fullSlice.getMin();
        long[] max = fullSlice.getMax();
        long[] step = fullSlice.getStep();
        for (int d = 0; d < shape.length; d++) {
            if (step[d] <= 0) {
                throw new IllegalArgumentException("slice step must be positive, got " + step[d]);
            }
            long count = fullSlice.getShape().get(d);
            if (count > 0 && (min[d] < 0 || min[d] + (count - 1) * step[d] >= shape[d] || max[d] > shape[d])) {
                throw new IndexOutOfBoundsException("index [" + min[d] + ", " + max[d] + ") is out of bounds for axis "
                        + d + " of size " + shape[d]);
            }
        }
    }

    private NDArray wrap(Dense d) {
        return GptqNDArray.in(manager, d);
    }
}
