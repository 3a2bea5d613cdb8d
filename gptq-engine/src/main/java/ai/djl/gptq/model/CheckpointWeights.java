package ai.djl.gptq.model;

import ai.djl.gptq.format.InconsistentWeightsException;
import ai.djl.gptq.format.checkpoint.CheckpointFolder;
import ai.djl.gptq.format.checkpoint.LayerQuantization;
import ai.djl.gptq.format.checkpoint.ModelConfig;
import ai.djl.gptq.format.safetensors.DType;
import ai.djl.gptq.format.safetensors.Tensor;
import ai.djl.gptq.format.safetensors.TensorInfo;
import ai.djl.gptq.format.safetensors.TensorSource;
import ai.djl.gptq.quant.QuantizedLinear;
import ai.djl.gptq.quant.QuantizedLinearReader;
import java.util.Arrays;
import java.util.Set;

/**
 * The decoder's view of a checkpoint's tensors: every tensor it asks for is checked against the model config
 * (shape, a floating-point dtype, a bias exactly where the architecture has one) before a backend sees it.
 * Tensors are zero-copy views, valid while {@link #source()} is open.
 */
final class CheckpointWeights {

    private final CheckpointFolder folder;
    private final TensorSource source;
    private final ModelConfig config;
    private final ModelArchitecture architecture;
    private final Set<Projection> biased;

    CheckpointWeights(CheckpointFolder folder, TensorSource source) {
        this.folder = folder;
        this.source = source;
        this.config = folder.config();
        this.architecture = ModelArchitecture.of(config);
        this.biased = architecture.biasedProjections(config);
    }

    TensorSource source() {
        return source;
    }

    ModelConfig config() {
        return config;
    }

    ModelArchitecture architecture() {
        return architecture;
    }

    /** The token embedding table {@code [vocab, hidden]} in its stored precision. */
    Tensor embedding() {
        return floatTensor(architecture.embedTokens(), config.vocabSize(), config.hiddenSize());
    }

    /** Norm {@code n} of layer {@code layer}. */
    float[] norm(int layer, NormPosition n) {
        return floatTensor(architecture.norm(layer, n), config.hiddenSize()).toFloatArray();
    }

    float[] finalNorm() {
        return floatTensor(architecture.finalNorm(), config.hiddenSize()).toFloatArray();
    }

    /** Projection {@code p} of layer {@code layer}, quantized or dense as the checkpoint has it. */
    CheckpointLinear projection(int layer, Projection p) {
        return linear(architecture.module(layer, p), p.inFeatures(config), p.outFeatures(config), biased.contains(p));
    }

    /**
     * The output projection, or {@code null} when the config ties it to the embeddings (the backend then
     * reuses the embedding table).
     */
    CheckpointLinear lmHead() {
        if (config.tieWordEmbeddings()) {
            return null;
        }
        return linear(architecture.lmHead(), config.hiddenSize(), config.vocabSize(), false);
    }

    private CheckpointLinear linear(String module, int in, int out, boolean hasBias) {
        LayerQuantization q = folder.quantization().forModule(module);
        if (q != null && source.contains(module + ".qweight")) {
            QuantizedLinear w = QuantizedLinearReader.read(source, module, q, in, out);
            if (hasBias && w.bias() == null) {
                throw missingBias(module);
            }
            if (!hasBias && w.bias() != null) {
                // transformers builds this module without a bias and ignores a stored one; so do we.
                w = new QuantizedLinear(w.name(), w.bits(), w.inFeatures(), w.outFeatures(), w.groupSize(),
                        w.qweight(), w.scales(), w.zeros(), w.groupIndex(), null);
            }
            return new CheckpointLinear(module, in, out, w, null, null);
        }
        if (q != null && !source.contains(module + ".weight")) {
            throw new InconsistentWeightsException(source.path(), module + ".qweight",
                    "missing: the quantization config covers " + module + " and it has no dense weight either");
        }
        Tensor weight = floatTensor(module + ".weight", out, in);
        float[] bias = null;
        if (hasBias) {
            if (!source.contains(module + ".bias")) {
                throw missingBias(module);
            }
            bias = floatTensor(module + ".bias", out).toFloatArray();
        }
        return new CheckpointLinear(module, in, out, null, weight, bias);
    }

    private InconsistentWeightsException missingBias(String module) {
        return new InconsistentWeightsException(source.path(), module + ".bias",
                "missing: " + architecture.className() + " has a bias on this projection");
    }

    private Tensor floatTensor(String name, long... shape) {
        TensorInfo info = source.info(name);
        if (info == null) {
            throw new InconsistentWeightsException(source.path(), name, "missing: " + architecture.className()
                    + " needs it (shape " + Arrays.toString(shape) + ")");
        }
        if (info.dtype() != DType.F32 && info.dtype() != DType.F16 && info.dtype() != DType.BF16) {
            throw new InconsistentWeightsException(source.path(), name, "has dtype " + info.dtype()
                    + ", expected F32, F16 or BF16");
        }
        if (!Arrays.equals(info.shape(), shape)) {
            throw new InconsistentWeightsException(source.path(), name, "has shape " + Arrays.toString(info.shape())
                    + ", expected " + Arrays.toString(shape) + " from " + config.file().getFileName());
        }
        return source.tensor(name);
    }
}
