package ai.djl.gptq.quant;

import ai.djl.gptq.format.InconsistentWeightsException;
import ai.djl.gptq.format.UnsupportedCheckpointException;
import ai.djl.gptq.format.safetensors.DType;
import ai.djl.gptq.format.safetensors.Tensor;
import ai.djl.gptq.format.safetensors.TensorSource;
import java.util.Arrays;

/**
 * The tensors of one quantized module ({@code <module>.qweight}, {@code .qzeros}, {@code .scales}, ...) with
 * the checks every format shares, each failure naming the file and tensor.
 */
final class ModuleTensors {

    private final TensorSource source;
    private final String module;

    ModuleTensors(TensorSource source, String module) {
        this.source = source;
        this.module = module;
    }

    String module() {
        return module;
    }

    /** {@code <module>.<suffix>}; a missing tensor is reported by the source. */
    Tensor required(String suffix) {
        return source.tensor(module + '.' + suffix);
    }

    /** {@code <module>.<suffix>}, or {@code null} when the checkpoint has none. */
    Tensor optional(String suffix) {
        String name = module + '.' + suffix;
        return source.contains(name) ? source.tensor(name) : null;
    }

    /** A packed int32 tensor of exactly {@code rows x cols} words. */
    static Tensor packedWords(Tensor t, long rows, long cols, String why) {
        if (t.dtype() != DType.I32) {
            if (t.dtype() == DType.I8 || t.dtype() == DType.I16 || t.dtype() == DType.I64) {
                throw new UnsupportedCheckpointException(t.file(), t.name(), "packed words are " + t.dtype()
                        + "; only int32 packing (pack_dtype int32) is supported");
            }
            throw new InconsistentWeightsException(t.file(), t.name(), "packed words must be I32, found " + t.dtype());
        }
        expectShape(t, why, rows, cols);
        return t;
    }

    /** Checks the shape, explaining where the expected dimensions come from. */
    static void expectShape(Tensor t, String why, long... dims) {
        if (!Arrays.equals(t.shape(), dims)) {
            throw new InconsistentWeightsException(t.file(), t.name(), "shape " + Arrays.toString(t.shape())
                    + " does not match the expected " + Arrays.toString(dims) + " (" + why + ")");
        }
    }

    /** The values of a floating-point tensor (F16, BF16, F32) of the given shape. */
    static float[] floats(Tensor t, String why, long... dims) {
        if (t.dtype() != DType.F16 && t.dtype() != DType.BF16 && t.dtype() != DType.F32) {
            throw new InconsistentWeightsException(t.file(), t.name(), "must be F16, BF16 or F32, found " + t.dtype());
        }
        expectShape(t, why, dims);
        return t.toFloatArray();
    }

    /** {@code <module>.bias} as {@code [N]} floats, or {@code null}. */
    float[] bias(int outFeatures) {
        Tensor bias = optional("bias");
        return bias == null ? null : floats(bias, "N = " + outFeatures, outFeatures);
    }
}
