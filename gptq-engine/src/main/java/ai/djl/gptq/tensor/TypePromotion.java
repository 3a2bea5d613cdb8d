package ai.djl.gptq.tensor;

import ai.djl.ndarray.types.DataType;

/**
 * PyTorch's result-type rules for the engine's data types, so that mixed-type arithmetic gives the same dtype as
 * DJL's PyTorch engine: a zero-dimensional operand (a scalar) only changes the result when it is of a higher
 * category (boolean &lt; integer &lt; floating) than the dimensioned operand.
 */
public final class TypePromotion {

    private TypePromotion() {}

    /** The result type of a binary op between {@code a} and {@code b}, given which operands are scalars. */
    public static DataType resultType(DataType a, boolean aScalar, DataType b, boolean bScalar) {
        if (aScalar == bScalar) {
            return promote(a, b);
        }
        DataType dimensioned = aScalar ? b : a;
        DataType scalar = aScalar ? a : b;
        return category(scalar) > category(dimensioned) ? scalar : dimensioned;
    }

    /** The data type DJL gives a {@link Number} wrapped by {@code NDManager.create(Number)}. */
    public static DataType typeOf(Number n) {
        if (n instanceof Float) {
            return DataType.FLOAT32;
        } else if (n instanceof Double) {
            return DataType.FLOAT64;
        } else if (n instanceof Long) {
            return DataType.INT64;
        } else if (n instanceof Byte) {
            return DataType.INT8;
        } else if (n instanceof Integer || n instanceof Short) {
            return DataType.INT32;
        }
        throw new IllegalArgumentException("unsupported number type " + n.getClass().getName());
    }

    /** The promotion of two dimensioned operands' types (PyTorch's {@code promote_types}). */
    public static DataType promote(DataType a, DataType b) {
        if (a == b) {
            return a;
        }
        if (a == DataType.BOOLEAN) {
            return b;
        }
        if (b == DataType.BOOLEAN) {
            return a;
        }
        int ca = category(a);
        int cb = category(b);
        if (ca != cb) {
            return ca > cb ? a : b;
        }
        if (ca == 2) {
            if (isHalf(a) && isHalf(b)) {
                return DataType.FLOAT32;
            }
            return floatWidth(a) >= floatWidth(b) ? a : b;
        }
        if ((a == DataType.UINT8 && b == DataType.INT8) || (a == DataType.INT8 && b == DataType.UINT8)) {
            throw new UnsupportedOperationException(
                    "mixing INT8 and UINT8 promotes to INT16, which engine GPTQ does not store; cast first");
        }
        return a.getNumOfBytes() >= b.getNumOfBytes() ? a : b;
    }

    /** 0 boolean, 1 integer, 2 floating. */
    public static int category(DataType t) {
        if (t == DataType.BOOLEAN) {
            return 0;
        }
        return Elements.isFloating(t) ? 2 : 1;
    }

    /** The type of a floating computation on {@code t}: integers and booleans become FLOAT32. */
    public static DataType floating(DataType t) {
        return Elements.isFloating(t) ? t : DataType.FLOAT32;
    }

    private static boolean isHalf(DataType t) {
        return t == DataType.FLOAT16 || t == DataType.BFLOAT16;
    }

    private static int floatWidth(DataType t) {
        return t.getNumOfBytes();
    }
}
