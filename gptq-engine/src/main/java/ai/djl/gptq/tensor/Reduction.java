package ai.djl.gptq.tensor;

import ai.djl.ndarray.types.DataType;
import java.util.Arrays;

/**
 * Reductions over a set of axes with PyTorch's result types, accumulating floating values in double and integers
 * in long. NaN propagates through max/min and counts as the extreme for arg reductions.
 */
public enum Reduction {
    SUM,
    PROD,
    MEAN,
    MAX,
    MIN,
    ARG_MAX,
    ARG_MIN,
    ALL,
    ANY;

    /** The result type of this reduction on {@code input} (integer sums and products are INT64). */
    public DataType resultType(DataType input) {
        return switch (this) {
            case SUM, PROD -> Elements.isFloating(input) ? input : DataType.INT64;
            case MEAN -> TypePromotion.floating(input);
            case MAX, MIN -> input;
            case ARG_MAX, ARG_MIN -> DataType.INT64;
            case ALL, ANY -> DataType.BOOLEAN;
        };
    }

    /**
     * Reduces {@code x} over {@code axes} ({@code null}: all axes); reduced axes are kept with size 1 when
     * {@code keepDims}. Arg reductions take at most one axis.
     */
    public Dense apply(Dense x, int[] axes, boolean keepDims) {
        int rank = x.rank();
        boolean[] reduced = new boolean[rank];
        if (axes == null) {
            Arrays.fill(reduced, true);
        } else {
            for (int axis : axes) {
                int a = Layout.normalizeAxis(axis, rank);
                if (reduced[a]) {
                    throw new IllegalArgumentException("axis " + axis + " appears twice in " + Arrays.toString(axes));
                }
                reduced[a] = true;
            }
        }
        int argAxis = -1;
        if (this == ARG_MAX || this == ARG_MIN) {
            if (axes != null && axes.length != 1) {
                throw new IllegalArgumentException(this + " takes a single axis");
            }
            argAxis = axes == null ? -1 : Layout.normalizeAxis(axes[0], rank);
        }
        long[] keptShape = new long[rank];
        long reducedCount = 1;
        int outRank = 0;
        for (int d = 0; d < rank; d++) {
            keptShape[d] = reduced[d] ? 1 : x.shape()[d];
            if (reduced[d]) {
                reducedCount *= x.shape()[d];
            } else {
                outRank++;
            }
        }
        long[] outShape = keptShape;
        if (!keepDims) {
            outShape = new long[outRank];
            for (int d = 0, o = 0; d < rank; d++) {
                if (!reduced[d]) {
                    outShape[o++] = x.shape()[d];
                }
            }
        }
        if (reducedCount == 0 && (this == MAX || this == MIN || this == ARG_MAX || this == ARG_MIN)) {
            throw new IllegalArgumentException(this + " of an empty selection of shape " + Arrays.toString(x.shape()));
        }
        int outSize = Math.toIntExact(Dense.sizeOf(keptShape));
        long[] outStrides = Dense.stridesOf(keptShape);
        for (int d = 0; d < rank; d++) {
            if (reduced[d]) {
                outStrides[d] = 0;
            }
        }
        Dense out = Dense.zeros(resultType(x.type()), outShape);
        boolean inDouble = Elements.isFloating(x.type()) || this == MEAN || this == ALL || this == ANY;
        double[] acc = new double[outSize];
        long[] accLong = inDouble ? null : new long[outSize];
        long[] arg = new long[outSize];
        boolean[] started = new boolean[outSize];
        StridedCursor cursor = new StridedCursor(x.shape(), new long[1], outStrides);
        long n = x.size();
        for (long i = 0; i < n; i++) {
            int o = (int) cursor.offset(0);
            long position = argAxis < 0 ? i : cursor.index(argAxis);
            if (inDouble) {
                accumulate(acc, o, x.getDouble(i), started, arg, position);
            } else {
                accumulateLong(accLong, o, x.getLong(i), started, arg, position);
            }
            cursor.next();
        }
        for (int o = 0; o < outSize; o++) {
            switch (this) {
                case ARG_MAX, ARG_MIN -> out.setLong(o, arg[o]);
                case MEAN -> out.setDouble(o, acc[o] / reducedCount);
                case ALL -> out.setLong(o, acc[o] == 0 ? 1 : 0);
                case ANY -> out.setLong(o, acc[o] != 0 ? 1 : 0);
                default -> {
                    boolean empty = !started[o];
                    if (accLong != null) {
                        out.setLong(o, empty && this == PROD ? 1 : accLong[o]);
                    } else {
                        out.setDouble(o, empty && this == PROD ? 1 : acc[o]);
                    }
                }
            }
        }
        return out;
    }

    private void accumulate(double[] acc, int o, double v, boolean[] started, long[] arg, long position) {
        if (!started[o]) {
            started[o] = true;
            acc[o] = switch (this) {
                case ALL -> v != 0 ? 0 : 1;
                case ANY -> v != 0 ? 1 : 0;
                default -> v;
            };
            arg[o] = position;
            return;
        }
        switch (this) {
            case SUM, MEAN -> acc[o] += v;
            case PROD -> acc[o] *= v;
            case MAX -> acc[o] = Double.isNaN(acc[o]) || Double.isNaN(v) ? Double.NaN : Math.max(acc[o], v);
            case MIN -> acc[o] = Double.isNaN(acc[o]) || Double.isNaN(v) ? Double.NaN : Math.min(acc[o], v);
            case ARG_MAX -> {
                if (!Double.isNaN(acc[o]) && (v > acc[o] || Double.isNaN(v))) {
                    acc[o] = v;
                    arg[o] = position;
                }
            }
            case ARG_MIN -> {
                if (!Double.isNaN(acc[o]) && (v < acc[o] || Double.isNaN(v))) {
                    acc[o] = v;
                    arg[o] = position;
                }
            }
            case ALL -> acc[o] += v != 0 ? 0 : 1;
            case ANY -> acc[o] += v != 0 ? 1 : 0;
        }
    }

    private void accumulateLong(long[] acc, int o, long v, boolean[] started, long[] arg, long position) {
        if (!started[o]) {
            started[o] = true;
            acc[o] = v;
            arg[o] = position;
            return;
        }
        switch (this) {
            case SUM -> acc[o] += v;
            case PROD -> acc[o] *= v;
            case MAX -> acc[o] = Math.max(acc[o], v);
            case MIN -> acc[o] = Math.min(acc[o], v);
            case ARG_MAX -> {
                if (v > acc[o]) {
                    acc[o] = v;
                    arg[o] = position;
                }
            }
            case ARG_MIN -> {
                if (v < acc[o]) {
                    acc[o] = v;
                    arg[o] = position;
                }
            }
            default -> throw new IllegalStateException(this + " is accumulated in floating point");
        }
    }
}
