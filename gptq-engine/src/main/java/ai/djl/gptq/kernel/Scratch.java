package ai.djl.gptq.kernel;

/**
 * Per-thread buffers the kernels reuse between calls, so that a matmul allocates nothing once warmed up.
 * Each thread (caller or pool worker) gets its own instance.
 */
final class Scratch {

    private static final ThreadLocal<Scratch> LOCAL = ThreadLocal.withInitial(Scratch::new);

    /** The calling thread's job object. */
    final MatmulJob job = new MatmulJob();
    /** The caller's input, permuted to act order and/or pre-scaled. */
    private float[] input = new float[0];
    private float[] groupSums = new float[0];
    private float[] topSums = new float[0];
    private float[] partials = new float[0];
    /** A worker's per-tile accumulators and outputs. */
    private float[] acc = new float[0];
    private float[] out = new float[0];

    static Scratch get() {
        return LOCAL.get();
    }

    float[] input(int size) {
        if (input.length < size) {
            input = new float[size];
        }
        return input;
    }

    float[] groupSums(int size) {
        if (groupSums.length < size) {
            groupSums = new float[size];
        }
        return groupSums;
    }

    float[] topSums(int size) {
        if (topSums.length < size) {
            topSums = new float[size];
        }
        return topSums;
    }

    float[] partials(int size) {
        if (partials.length < size) {
            partials = new float[size];
        }
        return partials;
    }

    float[] acc(int size) {
        if (acc.length < size) {
            acc = new float[size];
        }
        return acc;
    }

    float[] out(int size) {
        if (out.length < size) {
            out = new float[size];
        }
        return out;
    }
}
