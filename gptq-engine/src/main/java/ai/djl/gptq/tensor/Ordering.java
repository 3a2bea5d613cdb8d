package ai.djl.gptq.tensor;

import ai.djl.ndarray.types.DataType;

/** Sorting along an axis: sort, argSort and topK. NaN sorts as the largest value, like PyTorch. */
public final class Ordering {

    private Ordering() {}

    /** The values and INT64 indices of the sorted lanes along {@code axis}, keeping the first {@code k}. */
    public static Dense[] sort(Dense x, int axis, boolean ascending, int k) {
        int a = Layout.normalizeAxis(axis, x.rank());
        long[] shape = x.shape();
        int length = Math.toIntExact(shape[a]);
        if (k < 0 || k > length) {
            throw new IllegalArgumentException("k = " + k + " is out of range for axis of size " + length);
        }
        long inner = 1;
        for (int d = a + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        long outer = x.size() / Math.max(1, length * inner);
        long[] outShape = shape.clone();
        outShape[a] = k;
        Dense values = Dense.zeros(x.type(), outShape);
        Dense indices = Dense.zeros(DataType.INT64, outShape);
        boolean floating = Elements.isFloating(x.type());
        double[] lane = new double[length];
        Integer[] order = new Integer[length];
        int width = x.type().getNumOfBytes();
        for (long o = 0; o < outer; o++) {
            for (long in = 0; in < inner; in++) {
                long base = o * length * inner + in;
                for (int i = 0; i < length; i++) {
                    lane[i] = floating ? x.getDouble(base + i * inner) : x.getLong(base + i * inner);
                    order[i] = i;
                }
                java.util.Arrays.sort(order, (p, q) -> {
                    int c = Double.compare(lane[p], lane[q]);
                    return ascending ? c : -c;
                });
                long outBase = o * k * inner + in;
                for (int i = 0; i < k; i++) {
                    long from = base + order[i] * inner;
                    long to = outBase + i * inner;
                    java.lang.foreign.MemorySegment.copy(x.data(), from * width, values.data(), to * width, width);
                    indices.setLong(to, order[i]);
                }
            }
        }
        return new Dense[] {values, indices};
    }

    /** Softmax (or log-softmax) along {@code axis}, computed in double and stored in the floating input type. */
    public static Dense softmax(Dense x, int axis, boolean log) {
        int a = Layout.normalizeAxis(axis, x.rank());
        long[] shape = x.shape();
        long length = shape[a];
        long inner = 1;
        for (int d = a + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        long outer = length == 0 ? 0 : x.size() / (length * inner);
        Dense out = Dense.zeros(TypePromotion.floating(x.type()), shape);
        for (long o = 0; o < outer; o++) {
            for (long in = 0; in < inner; in++) {
                long base = o * length * inner + in;
                double max = Double.NEGATIVE_INFINITY;
                for (long i = 0; i < length; i++) {
                    max = Math.max(max, x.getDouble(base + i * inner));
                }
                double sum = 0;
                for (long i = 0; i < length; i++) {
                    sum += Math.exp(x.getDouble(base + i * inner) - max);
                }
                double logSum = Math.log(sum);
                for (long i = 0; i < length; i++) {
                    double shifted = x.getDouble(base + i * inner) - max;
                    out.setDouble(base + i * inner, log ? shifted - logSum : Math.exp(shifted) / sum);
                }
            }
        }
        return out;
    }
}
