package ai.djl.gptq.kernel;

import ai.djl.gptq.quant.QuantizedLinear;
import java.util.Random;

/**
 * Run in a JVM of its own by {@link KernelChoiceTest}: prints which kernel {@link Kernels#best()} chose and the
 * outputs of a small int4 matmul, so the test can check both from a JVM started without the incubator module.
 */
public final class KernelChoiceProbe {

    private KernelChoiceProbe() {}

    public static void main(String[] args) {
        System.out.println(Kernels.vectorized() ? "vector" : "scalar");
        float[] y = run(Kernels.best());
        StringBuilder out = new StringBuilder();
        for (float v : y) {
            out.append(Float.floatToRawIntBits(v)).append(' ');
        }
        System.out.println(out.toString().trim());
    }

    static float[] run(MatmulKernel kernel) {
        Random random = new Random(11);
        QuantizedLinear layer = KernelTest.randomLayer(random, 4, 64, 70, 32, true, true);
        float[] x = KernelTest.input(random, 2 * 64);
        float[] y = new float[2 * 70];
        kernel.matmul(x, 2, PackedMatrix.pack(layer), y);
        return y;
    }
}
