package ai.djl.gptq.tensor;

import ai.djl.ndarray.types.DataType;

/**
 * Rounds a double to the precision of a floating compute type, so that operands and results of a computation
 * carried out in double match the values PyTorch computes with in that type.
 */
enum Precision {
    DOUBLE,
    SINGLE,
    HALF,
    BFLOAT;

    static Precision of(DataType type) {
        return switch (type) {
            case FLOAT32 -> SINGLE;
            case FLOAT16 -> HALF;
            case BFLOAT16 -> BFLOAT;
            default -> DOUBLE;
        };
    }

    double round(double v) {
        return switch (this) {
            case DOUBLE -> v;
            case SINGLE -> (float) v;
            case HALF -> Float.float16ToFloat(Float.floatToFloat16((float) v));
            case BFLOAT -> Float.intBitsToFloat(Elements.toBfloat16((float) v) << 16);
        };
    }
}
