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
}
