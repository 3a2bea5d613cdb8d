package ai.djl.gptq.tests.model;

import ai.djl.gptq.model.ActivationPrecision;

/** The bounds per activation precision (fixtures/README.md explains where they come from). */
final class Tolerance {

    /**
     * Relative L2 error between two fp32 runs of the same arithmetic that differ only in the order of float sums
     * (a one-row against a many-row matmul; measured around 1e-6 on PyTorch's BLAS). A cache bug (a wrong
     * position, a stale row, a missed window) shows up orders of magnitude above this.
     */
    static final double SUMMATION_ORDER = 1e-5;

    private Tolerance() {}

    /** Relative L2 error of prompt logits against the fp32 reference. */
    static double logits(ActivationPrecision p) {
        return p == ActivationPrecision.FP32 ? 1e-4 : 2e-2;
    }

    /** Greedy tokens must match up to the first step whose reference margin is below this. */
    static double margin(ActivationPrecision p) {
        return p == ActivationPrecision.FP32 ? 0.01 : 0.1;
    }
}
