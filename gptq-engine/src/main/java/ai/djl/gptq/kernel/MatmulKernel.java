package ai.djl.gptq.kernel;

/**
 * {@code y[rows, N] = x[rows, K] W (+ bias)} with fp32 accumulation; {@code x} and {@code y} are row-major and
 * {@code y} is overwritten. Implementations are stateless and thread-safe.
 */
public interface MatmulKernel {

    /** Quantized weight {@code W [K, N]}. */
    void matmul(float[] x, int rows, PackedMatrix w, float[] y);

    /** Dense weight in Hugging Face layout {@code [N, K]}: {@code y = x W^T}. */
    void matmul(float[] x, int rows, DenseMatrix w, float[] y);
}
