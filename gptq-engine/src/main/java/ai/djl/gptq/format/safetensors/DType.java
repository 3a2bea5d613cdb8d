package ai.djl.gptq.format.safetensors;

import ai.djl.ndarray.types.DataType;

/** The element types a safetensors header may name, with their size in bytes. */
public enum DType {
    F64(8, DataType.FLOAT64),
    F32(4, DataType.FLOAT32),
    F16(2, DataType.FLOAT16),
    BF16(2, DataType.BFLOAT16),
    I64(8, DataType.INT64),
    I32(4, DataType.INT32),
    I16(2, DataType.INT16),
    I8(1, DataType.INT8),
    U8(1, DataType.UINT8),
    BOOL(1, DataType.BOOLEAN);

    private final int byteSize;
    private final DataType djlType;

    DType(int byteSize, DataType djlType) {
        this.byteSize = byteSize;
        this.djlType = djlType;
    }

    public int byteSize() {
        return byteSize;
    }

    /** The matching DJL data type. */
    public DataType toDataType() {
        return djlType;
    }

    public boolean isFloatingPoint() {
        return this == F64 || this == F32 || this == F16 || this == BF16;
    }

    /** Returns the dtype named {@code name} exactly as safetensors spells it, or {@code null}. */
    public static DType fromName(String name) {
        for (DType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** The safetensors dtype for a DJL data type, or {@code null} when safetensors has none. */
    public static DType fromDataType(DataType type) {
        for (DType t : values()) {
            if (t.djlType == type) {
                return t;
            }
        }
        return null;
    }
}
