package ai.djl.gptq.tensor;

import ai.djl.ndarray.types.DataType;

/** Element-wise unary ops; the kind says how the result type follows from the input type. */
public enum UnaryOp {
    NEG(Kind.KEEPS_TYPE),
    ABS(Kind.KEEPS_TYPE),
    SIGN(Kind.KEEPS_TYPE),
    SQUARE(Kind.KEEPS_TYPE),
    FLOOR(Kind.KEEPS_TYPE),
    CEIL(Kind.KEEPS_TYPE),
    /** Half to even, like {@code torch.round}. */
    ROUND(Kind.KEEPS_TYPE),
    TRUNC(Kind.KEEPS_TYPE),
    RELU(Kind.KEEPS_TYPE),
    EXP(Kind.FLOATING),
    LOG(Kind.FLOATING),
    LOG10(Kind.FLOATING),
    LOG2(Kind.FLOATING),
    SQRT(Kind.FLOATING),
    CBRT(Kind.FLOATING),
    SIN(Kind.FLOATING),
    COS(Kind.FLOATING),
    TAN(Kind.FLOATING),
    ASIN(Kind.FLOATING),
    ACOS(Kind.FLOATING),
    ATAN(Kind.FLOATING),
    SINH(Kind.FLOATING),
    COSH(Kind.FLOATING),
    TANH(Kind.FLOATING),
    ASINH(Kind.FLOATING),
    ACOSH(Kind.FLOATING),
    ATANH(Kind.FLOATING),
    SIGMOID(Kind.FLOATING),
    SOFTPLUS(Kind.FLOATING),
    SOFTSIGN(Kind.FLOATING),
    /** Exact (erf) GELU, PyTorch's default. */
    GELU(Kind.FLOATING),
    SILU(Kind.FLOATING),
    SELU(Kind.FLOATING),
    ERF(Kind.FLOATING),
    TO_DEGREES(Kind.FLOATING),
    TO_RADIANS(Kind.FLOATING),
    LOGICAL_NOT(Kind.PREDICATE),
    IS_NAN(Kind.PREDICATE),
    IS_INFINITE(Kind.PREDICATE);

    enum Kind {
        KEEPS_TYPE,
        FLOATING,
        PREDICATE
    }

    private static final double SELU_ALPHA = 1.6732632423543772848170429916717;
    private static final double SELU_SCALE = 1.0507009873554804934193349852946;

    private final Kind kind;

    UnaryOp(Kind kind) {
        this.kind = kind;
    }

    DataType resultType(DataType input) {
        return switch (kind) {
            case KEEPS_TYPE -> input;
            case FLOATING -> TypePromotion.floating(input);
            case PREDICATE -> DataType.BOOLEAN;
        };
    }

    /** Whether the op computes on {@code input} as integers. */
    boolean integral(DataType input) {
        return kind == Kind.KEEPS_TYPE && !Elements.isFloating(input);
    }

    double apply(double x) {
        return switch (this) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case SIGN -> Double.isNaN(x) ? 0 : Math.signum(x);
            case SQUARE -> x * x;
            case FLOOR -> Math.floor(x);
            case CEIL -> Math.ceil(x);
            case ROUND -> Math.rint(x);
            case TRUNC -> x < 0 ? Math.ceil(x) : Math.floor(x);
            case RELU -> x > 0 ? x : (Double.isNaN(x) ? x : 0);
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case LOG10 -> Math.log10(x);
            case LOG2 -> Math.log(x) / Math.log(2);
            case SQRT -> Math.sqrt(x);
            case CBRT -> Math.cbrt(x);
            case SIN -> Math.sin(x);
            case COS -> Math.cos(x);
            case TAN -> Math.tan(x);
            case ASIN -> Math.asin(x);
            case ACOS -> Math.acos(x);
            case ATAN -> Math.atan(x);
            case SINH -> Math.sinh(x);
            case COSH -> Math.cosh(x);
            case TANH -> Math.tanh(x);
            case ASINH -> Double.isInfinite(x) ? x : Math.copySign(Math.log(Math.abs(x) + Math.sqrt(x * x + 1)), x);
            case ACOSH -> Math.log(x + Math.sqrt(x * x - 1));
            case ATANH -> 0.5 * Math.log((1 + x) / (1 - x));
            case SIGMOID -> 1 / (1 + Math.exp(-x));
            case SOFTPLUS -> x > 20 ? x : Math.log1p(Math.exp(x));
            case SOFTSIGN -> x / (1 + Math.abs(x));
            case GELU -> 0.5 * x * (1 + ErrorFunction.erf(x / Math.sqrt(2)));
            case SILU -> x / (1 + Math.exp(-x));
            case SELU -> SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x));
            case ERF -> ErrorFunction.erf(x);
            case TO_DEGREES -> Math.toDegrees(x);
            case TO_RADIANS -> Math.toRadians(x);
            case LOGICAL_NOT -> x == 0 ? 1 : 0;
            case IS_NAN -> Double.isNaN(x) ? 1 : 0;
            case IS_INFINITE -> Double.isInfinite(x) ? 1 : 0;
        };
    }

    long apply(long x) {
        return switch (this) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case SIGN -> Long.signum(x);
            case SQUARE -> x * x;
            case FLOOR, CEIL, ROUND, TRUNC -> x;
            case RELU -> Math.max(x, 0);
            default -> throw new IllegalStateException(this + " is computed in floating point");
        };
    }
}
