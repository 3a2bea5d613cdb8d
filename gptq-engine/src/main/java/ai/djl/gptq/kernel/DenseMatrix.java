package ai.djl.gptq.kernel;

import ai.djl.gptq.format.InconsistentWeightsException;
import ai.djl.gptq.format.safetensors.DType;
import ai.djl.gptq.format.safetensors.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * An unquantized weight in Hugging Face layout {@code [N, K]} (out features, in features), such as
 * {@code lm_head.weight} or a tied embedding, over its stored bytes: F32, F16 or BF16, zero-copy (often a view
 * of the mapped checkpoint). {@code y = x W^T}. Row {@code n} is also the embedding of token {@code n}.
 */
public final class DenseMatrix {

    static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    final MemorySegment data;
    final DType dtype;
    final int rows;
    final int cols;

    private DenseMatrix(MemorySegment data, DType dtype, int rows, int cols) {
        this.data = data;
        this.dtype = dtype;
        this.rows = rows;
        this.cols = cols;
    }

    /**
     * Wraps a 2-D F32/F16/BF16 tensor. F16 tensors are scanned once for infinities and NaNs, which the vector
     * kernel's fast half-to-float conversion does not reproduce and which no sane weight holds.
     *
     * @throws InconsistentWeightsException when the tensor is not such a matrix
     */
    public static DenseMatrix of(Tensor t) {
        if (t.rank() != 2) {
            throw new InconsistentWeightsException(t.file(), t.name(), "expected a 2-D weight, shape " + java.util.Arrays.toString(t.shape()));
        }
        if (t.dtype() != DType.F32 && t.dtype() != DType.F16 && t.dtype() != DType.BF16) {
            throw new InconsistentWeightsException(t.file(), t.name(), "dense weights must be F32, F16 or BF16, found " + t.dtype());
        }
        if (t.dim(0) > Integer.MAX_VALUE || t.dim(1) > Integer.MAX_VALUE) {
            throw new InconsistentWeightsException(t.file(), t.name(), "dimensions too large");
        }
        DenseMatrix m = new DenseMatrix(t.data(), t.dtype(), (int) t.dim(0), (int) t.dim(1));
        if (m.dtype == DType.F16) {
            long n = t.elementCount();
            for (long i = 0; i < n; i++) {
                if ((m.data.getAtIndex(HALF, i) & 0x7c00) == 0x7c00) {
                    throw new InconsistentWeightsException(t.file(), t.name(), "holds an infinity or NaN at element " + i);
                }
            }
        }
        return m;
    }

    /** Wraps a heap {@code float[n * k]} (row-major). */
    public static DenseMatrix of(float[] data, int n, int k) {
        if ((long) n * k != data.length) {
            throw new IllegalArgumentException(data.length + " values for [" + n + ", " + k + "]");
        }
        return new DenseMatrix(MemorySegment.ofArray(data), DType.F32, n, k);
    }

    /** N: rows (output features, or vocabulary size of an embedding). */
    public int outFeatures() {
        return rows;
    }

    /** K: columns (input features, or hidden size of an embedding). */
    public int inFeatures() {
        return cols;
    }

    public DType dtype() {
        return dtype;
    }

    /** {@code W[n, k]} as a float. */
    public float get(int n, int k) {
        long i = (long) n * cols + k;
        return switch (dtype) {
            case F32 -> data.getAtIndex(FLOAT, i);
            case F16 -> Float.float16ToFloat(data.getAtIndex(HALF, i));
            default -> Float.intBitsToFloat((data.getAtIndex(HALF, i) & 0xffff) << 16);
        };
    }

    /** Copies row {@code n} as floats into {@code dst[off .. off + K)} (an embedding lookup). */
    public void row(int n, float[] dst, int off) {
        if (n < 0 || n >= rows) {
            throw new IndexOutOfBoundsException("row " + n + " of " + rows);
        }
        long base = (long) n * cols;
        switch (dtype) {
            case F32 -> MemorySegment.copy(data, FLOAT, base * 4, dst, off, cols);
            case F16 -> {
                for (int k = 0; k < cols; k++) {
                    dst[off + k] = Float.float16ToFloat(data.getAtIndex(HALF, base + k));
                }
            }
            default -> {
                for (int k = 0; k < cols; k++) {
                    dst[off + k] = Float.intBitsToFloat((data.getAtIndex(HALF, base + k) & 0xffff) << 16);
                }
            }
        }
    }

    /** Bytes one matmul reads. */
    public long bytesPerMatmul() {
        return (long) rows * cols * dtype.byteSize();
    }

    @Override
    public String toString() {
        return "dense " + dtype + " [" + rows + ", " + cols + "]";
    }
}
