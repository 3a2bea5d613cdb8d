package ai.djl.gptq.format.safetensors;

import ai.djl.gptq.format.InconsistentWeightsException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A zero-copy view of one tensor's little-endian data. Element indices are {@code long}, so tensors beyond
 * 2^31 elements work; the bulk {@code to*Array} copies refuse tensors that do not fit a Java array.
 */
public record Tensor(String name, Path file, DType dtype, long[] shape, MemorySegment data) {

    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public Tensor {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int axis) {
        return shape[axis];
    }

    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Element {@code i} (row-major) as a float, converting from any dtype. */
    public float getFloat(long i) {
        return switch (dtype) {
            case F32 -> data.get(FLOAT, i * 4);
            case F16 -> Float.float16ToFloat(data.get(SHORT, i * 2));
            case BF16 -> Float.intBitsToFloat((data.get(SHORT, i * 2) & 0xffff) << 16);
            case F64 -> (float) data.get(DOUBLE, i * 8);
            case I64 -> data.get(LONG, i * 8);
            case I32 -> data.get(INT, i * 4);
            case I16 -> data.get(SHORT, i * 2);
            case I8 -> data.get(ValueLayout.JAVA_BYTE, i);
            case U8, BOOL -> data.get(ValueLayout.JAVA_BYTE, i) & 0xff;
        };
    }

    /** Element {@code i} (row-major) of an integer tensor as a long. */
    public long getLong(long i) {
        return switch (dtype) {
            case I64 -> data.get(LONG, i * 8);
            case I32 -> data.get(INT, i * 4);
            case I16 -> data.get(SHORT, i * 2);
            case I8 -> data.get(ValueLayout.JAVA_BYTE, i);
            case U8, BOOL -> data.get(ValueLayout.JAVA_BYTE, i) & 0xff;
            default -> throw new InconsistentWeightsException(file, name, "expected an integer tensor, found " + dtype);
        };
    }

    /** Element {@code i} of an I32 tensor (the packed-weight case, without conversion). */
    public int getInt(long i) {
        if (dtype != DType.I32) {
            throw new InconsistentWeightsException(file, name, "expected I32, found " + dtype);
        }
        return data.get(INT, i * 4);
    }

    /** All elements as floats. */
    public float[] toFloatArray() {
        int n = checkedLength();
        float[] out = new float[n];
        if (dtype == DType.F32) {
            MemorySegment.copy(data, FLOAT, 0, out, 0, n);
        } else {
            for (int i = 0; i < n; i++) {
                out[i] = getFloat(i);
            }
        }
        return out;
    }

    /** All elements of an integer tensor as ints; refuses I64 values that do not fit. */
    public int[] toIntArray() {
        int n = checkedLength();
        int[] out = new int[n];
        if (dtype == DType.I32) {
            MemorySegment.copy(data, INT, 0, out, 0, n);
            return out;
        }
        for (int i = 0; i < n; i++) {
            long v = getLong(i);
            if (v != (int) v) {
                throw new InconsistentWeightsException(file, name, "value " + v + " at index " + i + " does not fit int32");
            }
            out[i] = (int) v;
        }
        return out;
    }

    /** Describes the tensor for messages: file, name, dtype and shape. */
    public String describe() {
        return file + ": '" + name + "' " + dtype + Arrays.toString(shape);
    }

    private int checkedLength() {
        long n = elementCount();
        if (n > Integer.MAX_VALUE - 8) {
            throw new InconsistentWeightsException(file, name, "has " + n + " elements, too many for one Java array");
        }
        return (int) n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && name.equals(t.name) && file.equals(t.file);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return describe();
    }
}
