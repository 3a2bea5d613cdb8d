package ai.djl.gptq.kernel;

/**
 * Chooses the kernels: the Vector API ones when the {@code jdk.incubator.vector} module is present and the CPU
 * has vectors of at least 256 bits, the scalar ones otherwise. The vector classes are only loaded after that check, so the
 * engine runs (slower) without the incubator module.
 */
public final class Kernels {

    private static final MatmulKernel BEST = choose();

    private Kernels() {}

    /** The fastest kernel available here. */
    public static MatmulKernel best() {
        return BEST;
    }

    /** The scalar reference kernel. */
    public static MatmulKernel scalar() {
        return ScalarKernel.INSTANCE;
    }

    /** Whether {@link #best()} is the Vector API kernel. */
    public static boolean vectorized() {
        return BEST != ScalarKernel.INSTANCE;
    }

    /** Columns per tile of a {@link PackedMatrix}: four vectors for the vector kernel, 64 for the scalar one. */
    static int tileWidth() {
        return vectorized() ? VectorKernels.tileWidth() : 64;
    }

    private static MatmulKernel choose() {
        if (Boolean.getBoolean("gptq.scalar") || ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return ScalarKernel.INSTANCE;
        }
        try {
            return VectorKernels.vectorKernelIfSupported();
        } catch (LinkageError e) {
            return ScalarKernel.INSTANCE;
        }
    }
}
