package ai.djl.gptq.kernel;

/** Keeps {@link Kernels} free of references to Vector API types until the module is known to be present. */
final class VectorKernels {

    private VectorKernels() {}

    static MatmulKernel vectorKernelIfSupported() {
        return VectorKernel.supported() ? VectorKernel.INSTANCE : ScalarKernel.INSTANCE;
    }

    /** Columns per packed tile: four of the vector kernel's float vectors. */
    static int tileWidth() {
        return VectorKernel.TILE;
    }

    /** Sum of {@code a[from, to)} with four independent vector accumulators; {@code to - from} a multiple of 64. */
    static float sum(float[] a, int from, int to) {
        var s = VectorKernel.F;
        var v0 = jdk.incubator.vector.FloatVector.zero(s);
        var v1 = v0;
        var v2 = v0;
        var v3 = v0;
        for (int i = from; i < to; i += 64) {
            v0 = v0.add(jdk.incubator.vector.FloatVector.fromArray(s, a, i));
            v1 = v1.add(jdk.incubator.vector.FloatVector.fromArray(s, a, i + 16));
            v2 = v2.add(jdk.incubator.vector.FloatVector.fromArray(s, a, i + 32));
            v3 = v3.add(jdk.incubator.vector.FloatVector.fromArray(s, a, i + 48));
        }
        return v0.add(v1).add(v2).add(v3).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }
}
