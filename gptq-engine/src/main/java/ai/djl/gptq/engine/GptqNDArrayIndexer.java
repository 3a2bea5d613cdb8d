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
import java.util.Arrays;

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
