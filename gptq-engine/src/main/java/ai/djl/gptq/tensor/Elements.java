package ai.djl.gptq.tensor;

import ai.djl.ndarray.types.DataType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Reads and writes single elements of a dense little-endian (native order) buffer in any data type the engine
 * stores. Floating types are computed as {@code double}, integer and boolean types as {@code long}; the conversion
 * to the stored type happens only on write (fp16 and bf16 round to nearest even, integers wrap like a C cast).
 *
 * <p>Unaligned layouts are used throughout because a buffer may be a view into a mapped checkpoint file.
 */
public final class Elements {

    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;

    private Elements() {}

    /** Whether the engine stores arrays of {@code type}. */
    public static boolean isSupported(DataType type) {
        return switch (type) {
            case FLOAT32, FLOAT16, BFLOAT16, FLOAT64, INT8, UINT8, INT32, INT64, BOOLEAN -> true;
            default -> false;
        };
    }

    /** Throws when the engine cannot store {@code type}. */
    public static DataType requireSupported(DataType type) {
        if (!isSupported(type)) {
            throw new UnsupportedOperationException("data type " + type + " is not supported by engine GPTQ");
        }
        return type;
    }

    /** Whether values of {@code type} are computed as {@code double} (else as {@code long}). */
    public static boolean isFloating(DataType type) {
        return switch (type) {
            case FLOAT32, FLOAT16, BFLOAT16, FLOAT64 -> true;
            default -> false;
        };
    }

    /**
     * A zeroed heap buffer for {@code count} elements of {@code type}, backed by a {@code long[]} so that every
     * element is naturally aligned.
     */
    public static MemorySegment allocate(DataType type, long count) {
        long bytes = Math.multiplyExact(count, (long) type.getNumOfBytes());
        long words = (bytes + 7) / 8;
        if (words > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("array of " + count + " " + type + " elements is too large");
        }
        return MemorySegment.ofArray(new long[(int) Math.max(words, 0)]).asSlice(0, bytes);
    }

    /** Element {@code i} of {@code data} as a double. */
    public static double getDouble(MemorySegment data, DataType type, long i) {
        return switch (type) {
            case FLOAT32 -> data.getAtIndex(FLOAT, i);
            case FLOAT16 -> Float.float16ToFloat(data.getAtIndex(SHORT, i));
            case BFLOAT16 -> Float.intBitsToFloat(data.getAtIndex(SHORT, i) << 16);
            case FLOAT64 -> data.getAtIndex(DOUBLE, i);
            case INT8 -> data.get(BYTE, i);
            case UINT8 -> data.get(BYTE, i) & 0xFF;
            case BOOLEAN -> data.get(BYTE, i) != 0 ? 1 : 0;
            case INT32 -> data.getAtIndex(INT, i);
            case INT64 -> data.getAtIndex(LONG, i);
            default -> throw unsupported(type);
        };
    }

    /** Element {@code i} of {@code data} as a long (floating values truncate toward zero). */
    public static long getLong(MemorySegment data, DataType type, long i) {
        return switch (type) {
            case INT8 -> data.get(BYTE, i);
            case UINT8 -> data.get(BYTE, i) & 0xFF;
            case BOOLEAN -> data.get(BYTE, i) != 0 ? 1 : 0;
            case INT32 -> data.getAtIndex(INT, i);
            case INT64 -> data.getAtIndex(LONG, i);
            default -> (long) getDouble(data, type, i);
        };
    }

    /** Writes {@code v} into element {@code i}, rounding or casting to {@code type}. */
    public static void setDouble(MemorySegment data, DataType type, long i, double v) {
        switch (type) {
            case FLOAT32 -> data.setAtIndex(FLOAT, i, (float) v);
            case FLOAT16 -> data.setAtIndex(SHORT, i, Float.floatToFloat16((float) v));
            case BFLOAT16 -> data.setAtIndex(SHORT, i, toBfloat16((float) v));
            case FLOAT64 -> data.setAtIndex(DOUBLE, i, v);
            case BOOLEAN -> data.set(BYTE, i, (byte) (v != 0 ? 1 : 0));
            default -> setLong(data, type, i, (long) v);
        }
    }

    /** Writes {@code v} into element {@code i}, converting to {@code type}. */
    public static void setLong(MemorySegment data, DataType type, long i, long v) {
        switch (type) {
            case INT8, UINT8 -> data.set(BYTE, i, (byte) v);
            case BOOLEAN -> data.set(BYTE, i, (byte) (v != 0 ? 1 : 0));
            case INT32 -> data.setAtIndex(INT, i, (int) v);
            case INT64 -> data.setAtIndex(LONG, i, v);
            default -> setDouble(data, type, i, v);
        }
    }

    /** Copies {@code n} elements starting at element {@code from} into {@code dst[off..]} as floats. */
    public static void readFloats(MemorySegment data, DataType type, long from, float[] dst, int off, int n) {
        if (type == DataType.FLOAT32) {
            MemorySegment.copy(data, FLOAT, from * 4, dst, off, n);
            return;
        }
        for (int j = 0; j < n; j++) {
            dst[off + j] = (float) getDouble(data, type, from + j);
        }
    }

    /** Copies {@code n} floats from {@code src[off..]} into elements {@code from..}, rounding to {@code type}. */
    public static void writeFloats(float[] src, int off, MemorySegment data, DataType type, long from, int n) {
        if (type == DataType.FLOAT32) {
            MemorySegment.copy(src, off, data, FLOAT, from * 4, n);
            return;
        }
        for (int j = 0; j < n; j++) {
            setDouble(data, type, from + j, src[off + j]);
        }
    }

    /** Rounds a float to bfloat16 bits, to nearest even, keeping NaN a quiet NaN. */
    static short toBfloat16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
        return (short) (rounded >>> 16);
    }

    private static UnsupportedOperationException unsupported(DataType type) {
        return new UnsupportedOperationException("data type " + type + " is not supported by engine GPTQ");
    }
}
