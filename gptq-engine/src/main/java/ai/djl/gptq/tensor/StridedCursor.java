package ai.djl.gptq.tensor;

/**
 * Walks the elements of an output shape in row-major order while tracking, for each operand, the element offset
 * that feeds the current output element. Broadcasting is a stride of 0, a transpose permuted strides, a slice
 * scaled strides plus a base offset: every layout op of the engine is one cursor.
 */
final class StridedCursor {

    private final long[] shape;
    private final long[][] strides;
    private final long[] offsets;
    private final long[] index;

    StridedCursor(long[] shape, long[] baseOffsets, long[]... strides) {
        this.shape = shape;
        this.strides = strides;
        this.offsets = baseOffsets.clone();
        this.index = new long[shape.length];
    }

    /** The current element offset of operand {@code k}. */
    long offset(int k) {
        return offsets[k];
    }

    /** The current output index along {@code axis}. */
    long index(int axis) {
        return index[axis];
    }

    /** Advances to the next output element. */
    void next() {
        for (int d = shape.length - 1; d >= 0; d--) {
            index[d]++;
            for (int k = 0; k < offsets.length; k++) {
                offsets[k] += strides[k][d];
            }
            if (index[d] < shape[d]) {
                return;
            }
            for (int k = 0; k < offsets.length; k++) {
                offsets[k] -= strides[k][d] * shape[d];
            }
            index[d] = 0;
        }
    }
}
