package ai.djl.gptq.tensor;

import ai.djl.ndarray.types.DataType;
import java.util.Arrays;

/**
 * {@code torch.matmul} semantics: vector-vector dot, matrix-vector, vector-matrix (the vector is promoted and the
 * added axis removed again) and batched products with broadcast batch dimensions.
 *
 * <p>Floating products accumulate in float like PyTorch's CPU kernels, walking each right-hand row once per batch
 * so that a large weight is streamed, not transposed.
 */
public final class MatMul {

    private MatMul() {}

    /** {@code a @ b}. */
    public static Dense apply(Dense a, Dense b) {
        if (a.rank() == 0 || b.rank() == 0) {
            throw new IllegalArgumentException("matMul needs arrays of rank >= 1, got shapes "
                    + Arrays.toString(a.shape()) + " and " + Arrays.toString(b.shape()));
        }
        boolean vectorA = a.rank() == 1;
        boolean vectorB = b.rank() == 1;
        Dense left = vectorA ? a.reshape(new long[] {1, a.shape()[0]}) : a;
        Dense right = vectorB ? b.reshape(new long[] {b.shape()[0], 1}) : b;
        long m = left.shape()[left.rank() - 2];
        long k = left.shape()[left.rank() - 1];
        long kb = right.shape()[right.rank() - 2];
        long n = right.shape()[right.rank() - 1];
        if (k != kb) {
            throw new IllegalArgumentException("matMul shapes " + Arrays.toString(a.shape()) + " and "
                    + Arrays.toString(b.shape()) + " do not align (" + k + " != " + kb + ")");
        }
        long[] batchA = Arrays.copyOf(left.shape(), left.rank() - 2);
        long[] batchB = Arrays.copyOf(right.shape(), right.rank() - 2);
        long[] batch = Layout.broadcastShape(batchA, batchB);
        long batches = Dense.sizeOf(batch);
        long[] stridesA = Layout.broadcastStrides(batchA, batch);
        long[] stridesB = Layout.broadcastStrides(batchB, batch);
        DataType type = TypePromotion.promote(a.type(), b.type());
        long[] outShape = Arrays.copyOf(batch, batch.length + 2);
        outShape[batch.length] = m;
        outShape[batch.length + 1] = n;
        Dense out = Dense.zeros(type, outShape);
        StridedCursor cursor = new StridedCursor(batch, new long[2], stridesA, stridesB);
        for (long t = 0; t < batches; t++) {
            long offA = cursor.offset(0) * m * k;
            long offB = cursor.offset(1) * k * n;
            long offOut = t * m * n;
            if (Elements.isFloating(type)) {
                floatProduct(left, offA, right, offB, out, offOut, (int) m, (int) k, (int) n);
            } else {
                longProduct(left, offA, right, offB, out, offOut, (int) m, (int) k, (int) n);
            }
            cursor.next();
        }
        if (!vectorA && !vectorB) {
            return out;
        }
        long[] finalShape = new long[batch.length + (vectorA ? 0 : 1) + (vectorB ? 0 : 1)];
        System.arraycopy(batch, 0, finalShape, 0, batch.length);
        int at = batch.length;
        if (!vectorA) {
            finalShape[at++] = m;
        }
        if (!vectorB) {
            finalShape[at] = n;
        }
        return out.reshape(finalShape);
    }

    private static void floatProduct(Dense a, long offA, Dense b, long offB, Dense out, long offOut, int m, int k,
            int n) {
        float[] lhs = new float[Math.multiplyExact(m, k)];
        Elements.readFloats(a.data(), a.type(), offA, lhs, 0, lhs.length);
        float[] acc = new float[Math.multiplyExact(m, n)];
        float[] row = new float[n];
        for (int p = 0; p < k; p++) {
            Elements.readFloats(b.data(), b.type(), offB + (long) p * n, row, 0, n);
            for (int i = 0; i < m; i++) {
                float x = lhs[i * k + p];
                int base = i * n;
                for (int j = 0; j < n; j++) {
                    acc[base + j] += x * row[j];
                }
            }
        }
        Elements.writeFloats(acc, 0, out.data(), out.type(), offOut, acc.length);
    }

    private static void longProduct(Dense a, long offA, Dense b, long offB, Dense out, long offOut, int m, int k,
            int n) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                long sum = 0;
                for (int p = 0; p < k; p++) {
                    sum += a.getLong(offA + (long) i * k + p) * b.getLong(offB + (long) p * n + j);
                }
                out.setLong(offOut + (long) i * n + j, sum);
            }
        }
    }
}
