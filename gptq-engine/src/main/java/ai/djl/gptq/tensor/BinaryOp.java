package ai.djl.gptq.tensor;

import ai.djl.ndarray.types.DataType;

/** Element-wise binary ops with PyTorch's semantics for each value domain. */
public enum BinaryOp {
    ADD(Kind.ARITHMETIC),
    SUB(Kind.ARITHMETIC),
    MUL(Kind.ARITHMETIC),
    /** True division: integer operands give FLOAT32. */
    DIV(Kind.FLOATING),
    /** Python-style remainder: the sign of the divisor. */
    MOD(Kind.ARITHMETIC),
    POW(Kind.ARITHMETIC),
    MAXIMUM(Kind.ARITHMETIC),
    MINIMUM(Kind.ARITHMETIC),
    ATAN2(Kind.FLOATING),
    EQ(Kind.COMPARISON),
    NEQ(Kind.COMPARISON),
    GT(Kind.COMPARISON),
    GTE(Kind.COMPARISON),
    LT(Kind.COMPARISON),
    LTE(Kind.COMPARISON),
    AND(Kind.LOGICAL),
    OR(Kind.LOGICAL),
    XOR(Kind.LOGICAL);

    /** How an op's result type follows from the promoted operand type. */
    enum Kind {
        ARITHMETIC,
        FLOATING,
        COMPARISON,
        LOGICAL
    }

    private final Kind kind;

    BinaryOp(Kind kind) {
        this.kind = kind;
    }

    /** The type in which the op computes, given the promoted operand type. */
    DataType computeType(DataType promoted) {
        return switch (kind) {
            case FLOATING -> TypePromotion.floating(promoted);
            case LOGICAL -> DataType.FLOAT64;
            default -> promoted;
        };
    }

    /** The stored result type, given the promoted operand type. */
    DataType resultType(DataType promoted) {
        return switch (kind) {
            case ARITHMETIC -> promoted;
            case FLOATING -> TypePromotion.floating(promoted);
            case COMPARISON, LOGICAL -> DataType.BOOLEAN;
        };
    }

    double apply(double a, double b) {
        return switch (this) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case MOD -> {
                double r = a % b;
                yield r != 0 && (r < 0) != (b < 0) ? r + b : r;
            }
            case POW -> Math.pow(a, b);
            case MAXIMUM -> Math.max(a, b);
            case MINIMUM -> Math.min(a, b);
            case ATAN2 -> Math.atan2(a, b);
            case EQ -> a == b ? 1 : 0;
            case NEQ -> a != b ? 1 : 0;
            case GT -> a > b ? 1 : 0;
            case GTE -> a >= b ? 1 : 0;
            case LT -> a < b ? 1 : 0;
            case LTE -> a <= b ? 1 : 0;
            case AND -> a != 0 && b != 0 ? 1 : 0;
            case OR -> a != 0 || b != 0 ? 1 : 0;
            case XOR -> (a != 0) != (b != 0) ? 1 : 0;
        };
    }

    long apply(long a, long b) {
        return switch (this) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case MOD -> Math.floorMod(a, b);
            case POW -> power(a, b);
            case MAXIMUM -> Math.max(a, b);
            case MINIMUM -> Math.min(a, b);
            case EQ -> a == b ? 1 : 0;
            case NEQ -> a != b ? 1 : 0;
            case GT -> a > b ? 1 : 0;
            case GTE -> a >= b ? 1 : 0;
            case LT -> a < b ? 1 : 0;
            case LTE -> a <= b ? 1 : 0;
            default -> throw new IllegalStateException(this + " is computed in floating point");
        };
    }

    private static long power(long base, long exponent) {
        if (exponent < 0) {
            if (base == 1) {
                return 1;
            }
            if (base == -1) {
                return (exponent & 1) == 0 ? 1 : -1;
            }
            throw new ArithmeticException("integers to negative integer powers are not allowed");
        }
        long result = 1;
        long b = base;
        long e = exponent;
        while (e > 0) {
            if ((e & 1) != 0) {
                result *= b;
            }
            b *= b;
            e >>= 1;
        }
        return result;
    }
}
