package ai.djl.gptq.kernel;

/**
 * Chooses the kernels: the Vector API ones when the {@code jdk.incubator.vector} module is present and the CPU
 * has 512-bit vectors, the scalar ones otherwise. The vector classes are only loaded after that check, so the
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
