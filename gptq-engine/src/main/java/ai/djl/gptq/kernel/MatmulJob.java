package ai.djl.gptq.kernel;

/**
 * The arguments of one matmul, written by the calling thread before it hands the job to the {@link ComputePool}
 * and only read by the workers (the pool's volatile hand-off publishes them). Each calling thread reuses its
 * own instance, so a matmul allocates nothing; the references are cleared afterwards so that no caller's array
 * stays reachable from a thread-local.
 */
final class MatmulJob implements ComputePool.Job {

    /** Computes output tiles (quantized) or output columns (dense) {@code [from, to)} of {@code job}. */
    @FunctionalInterface
    interface Part {
        void compute(MatmulJob job, int from, int to);
    }

    Part part;
    /** The input: {@code x} itself, or its act-order permuted (and for the vector kernel pre-scaled) copy. */
    float[] x;
    int rows;
    PackedMatrix packed;
    DenseMatrix dense;
    float[] y;
    /** {@code [rows][groups]}: sum of the inputs of each group. */
    float[] groupSums;
    /** {@code [rows][groups]}: sum of the inputs at the top value of each word (vector kernel, 2/4/8 bits). */
    float[] topSums;
    /** {@code [segment][rows][N]}: partial outputs of the K segments, when tiles are split ({@code null} if not). */
    float[] partials;

    @Override
    public void run(int from, int to) {
        part.compute(this, from, to);
    }

    /** Runs {@code part} over {@code items} work items of the quantized matmul {@code x w}. */
    void runQuantized(Part part, int items, float[] x, int rows, PackedMatrix w, float[] y, float[] groupSums, float[] topSums,
            float[] partials) {
        this.part = part;
        this.x = x;
        this.rows = rows;
        this.packed = w;
        this.y = y;
        this.groupSums = groupSums;
        this.topSums = topSums;
        this.partials = partials;
        try {
            ComputePool.shared().run(items, 1, this);
        } finally {
            clear();
        }
    }

    void runDense(Part part, float[] x, int rows, DenseMatrix w, float[] y, int grain) {
        this.part = part;
        this.x = x;
        this.rows = rows;
        this.dense = w;
        this.y = y;
        try {
            ComputePool.shared().run(w.rows, grain, this);
        } finally {
            clear();
        }
    }

    private void clear() {
        part = null;
        x = null;
        packed = null;
        dense = null;
        y = null;
        groupSums = null;
        topSums = null;
        partials = null;
    }
}
