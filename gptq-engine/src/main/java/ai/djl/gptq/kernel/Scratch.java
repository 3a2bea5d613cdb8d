package ai.djl.gptq.kernel;

/**
 * Per-thread buffers the kernels reuse between calls, so that a matmul allocates nothing once warmed up.
 * Each thread (caller or pool worker) gets its own instance.
 */
final class Scratch {

    private static final ThreadLocal<Scratch> LOCAL = ThreadLocal.withInitial(Scratch::new);

    /** The caller's input with act-order rows permuted. */
    float[] permuted = new float[0];
    /** Per row and group: the sum of the (permuted) inputs in the group. */
    float[] groupSums = new float[0];
    /** Per-tile accumulators of the scalar kernel. */
    final float[] acc = new float[PackedMatrix.TILE];
    final float[] out = new float[PackedMatrix.TILE];

    static Scratch get() {
        return LOCAL.get();
    }

    float[] permuted(int size) {
        if (permuted.length < size) {
            permuted = new float[size];
        }
        return permuted;
    }

    float[] groupSums(int size) {
        if (groupSums.length < size) {
            groupSums = new float[size];
        }
        return groupSums;
    }
}
