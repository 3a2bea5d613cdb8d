package ai.djl.gptq.model;

import ai.djl.ndarray.types.DataType;
import java.util.Locale;

/**
 * The precision activations and the KV cache are stored in. Arithmetic always accumulates in fp32; in
 * {@link #FP16} mode every value is rounded to fp16 where transformers running the model in fp16 would store
 * one (after each linear, norm, residual add, activation and softmax), so results drift from an fp32 run by the
 * same order as PyTorch's own fp16 run. {@link #FP32} is for exact cross-checks.
 */
public enum ActivationPrecision {
    FP16(DataType.FLOAT16),
    FP32(DataType.FLOAT32);

    /** The option key selecting the precision in {@code Model.load} options and on the command line. */
    public static final String OPTION = "activations";

    private final DataType dataType;

    ActivationPrecision(DataType dataType) {
        this.dataType = dataType;
    }

    /** The DJL data type activations have on an NDArray engine. */
    public DataType dataType() {
        return dataType;
    }

    /** {@code value} as it is stored: rounded to the nearest fp16 in {@link #FP16} mode, unchanged otherwise. */
    public float round(float value) {
        return this == FP16 ? Float.float16ToFloat(Float.floatToFloat16(value)) : value;
    }

    /** Rounds {@code values[from..to)} in place (a no-op in {@link #FP32} mode). */
    public void round(float[] values, int from, int to) {
        if (this == FP16) {
            for (int i = from; i < to; i++) {
                values[i] = Float.float16ToFloat(Float.floatToFloat16(values[i]));
            }
        }
    }

    /**
     * Parses {@code fp16}/{@code float16}/{@code half} or {@code fp32}/{@code float32}/{@code float}, case
     * insensitive; {@code null} means the default, {@link #FP16}.
     *
     * @throws IllegalArgumentException for any other value
     */
    public static ActivationPrecision parse(String value) {
        if (value == null) {
            return FP16;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "fp16", "float16", "half" -> FP16;
            case "fp32", "float32", "float" -> FP32;
            default -> throw new IllegalArgumentException(
                    "activations must be fp16 or fp32, not '" + value + "'");
        };
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
