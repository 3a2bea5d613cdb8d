package ai.djl.gptq.tensor;

import ai.djl.ndarray.types.DataType;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A dense, contiguous, row-major array: the data behind every engine array that is not a packed weight.
 *
 * @param type the stored element type
 * @param shape the dimensions (empty for a scalar)
 * @param data {@code size() * type.getNumOfBytes()} bytes in native order
 */
public record Dense(DataType type, long[] shape, MemorySegment data) {

    /** Validates that {@code data} holds exactly the elements of {@code shape}. */
    public Dense {
        Elements.requireSupported(type);
        long size = sizeOf(shape);
        if (data.byteSize() != size * type.getNumOfBytes()) {
            throw new IllegalArgumentException("buffer of " + data.byteSize() + " bytes for " + size + " "
                    + type + " elements of shape " + Arrays.toString(shape));
        }
    }

    /** A zeroed array. */
    public static Dense zeros(DataType type, long[] shape) {
        return new Dense(type, shape.clone(), Elements.allocate(type, sizeOf(shape)));
    }

    /** The number of elements. */
    public long size() {
        return sizeOf(shape);
    }

    /** The number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** Whether this is a zero-dimensional array. */
    public boolean isScalar() {
        return shape.length == 0;
    }

    /** Element {@code i} (row-major) as a double. */
    public double getDouble(long i) {
        return Elements.getDouble(data, type, i);
    }

    /** Element {@code i} (row-major) as a long. */
    public long getLong(long i) {
        return Elements.getLong(data, type, i);
    }

    /** Writes element {@code i}. */
    public void setDouble(long i, double v) {
        Elements.setDouble(data, type, i, v);
    }

    /** Writes element {@code i}. */
    public void setLong(long i, long v) {
        Elements.setLong(data, type, i, v);
    }

    /** The same elements seen with another shape of equal size (no copy). */
    public Dense reshape(long[] newShape) {
        return new Dense(type, newShape.clone(), data);
    }

    /** The product of the dimensions; throws on negative dimensions or overflow. */
    public static long sizeOf(long[] shape) {
        long size = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            size = Math.multiplyExact(size, d);
        }
        return size;
    }

    /** Row-major element strides of {@code shape}. */
    public static long[] stridesOf(long[] shape) {
        long[] strides = new long[shape.length];
        long s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            strides[d] = s;
            s *= shape[d];
        }
        return strides;
    }
}
