package ai.djl.gptq.model;

import ai.djl.gptq.format.checkpoint.CheckpointFolder;
import ai.djl.gptq.format.checkpoint.ModelConfig;
import ai.djl.gptq.format.safetensors.TensorSource;
import ai.djl.gptq.quant.ReferenceDequantizer;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The weights of a model as plain NDArrays of one engine, for {@link NDArrayOps}: every linear layer dequantized
 * once into a dense {@code [K, N]} matrix, every tensor in the activation precision's type. This is how an engine
 * without packed arrays (DJL's PyTorch engine) runs the same checkpoint.
 */
final class NDArrayBackend implements DecoderBackend {

    final ModelConfig config;
    final ActivationPrecision precision;
    final RotaryEmbedding rope;
    final NDManager manager;
    final NDArray embedding;
    final NDArray[][] weights;
    final NDArray[][] biases;
    final NDArray[][] norms;
    final NDArray finalNorm;
    final NDArray lmHead;

    private NDArrayBackend(CheckpointWeights checkpoint, NDManager parent, ActivationPrecision precision) {
        this.config = checkpoint.config();
        this.precision = precision;
        this.rope = new RotaryEmbedding(config);
        this.manager = parent.newSubManager();
        try {
            int vocab = config.vocabSize();
            int hidden = config.hiddenSize();
            float[] table = checkpoint.embedding().toFloatArray();
            this.embedding = array(table, vocab, hidden);
            int layers = config.numLayers();
            int count = Projection.values().length;
            this.weights = new NDArray[layers][count];
            this.biases = new NDArray[layers][count];
            this.norms = new NDArray[layers][NormPosition.values().length];
            for (int l = 0; l < layers; l++) {
                for (Projection p : Projection.values()) {
                    CheckpointLinear w = checkpoint.projection(l, p);
                    weights[l][p.ordinal()] = matrix(w);
                    float[] bias = w.bias();
                    biases[l][p.ordinal()] = bias == null ? null : array(bias, bias.length);
                }
                for (NormPosition n : NormPosition.values()) {
                    norms[l][n.ordinal()] = array(checkpoint.norm(l, n), hidden);
                }
            }
            this.finalNorm = array(checkpoint.finalNorm(), hidden);
            CheckpointLinear head = checkpoint.lmHead();
            lmHead = head == null ? array(transpose(table, vocab, hidden), hidden, vocab) : matrix(head);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    static NDArrayBackend load(CheckpointFolder folder, NDManager manager, ActivationPrecision precision) {
        try (TensorSource source = folder.openWeights()) {
            return new NDArrayBackend(new CheckpointWeights(folder, source), manager, precision);
        }
    }

    /** The logical {@code [K, N]} weight, dequantized or transposed from the stored {@code [N, K]}. */
    private NDArray matrix(CheckpointLinear w) {
        int k = w.inFeatures();
        int n = w.outFeatures();
        float[] kn = w.quantized() != null
                ? ReferenceDequantizer.dequantize(w.quantized())
                : transpose(w.dense().toFloatArray(), n, k);
        return array(kn, k, n);
    }

    private static float[] transpose(float[] rowMajor, int rows, int cols) {
        float[] t = new float[rowMajor.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = rowMajor[r * cols + c];
            }
        }
        return t;
    }

    private NDArray array(float[] values, long... shape) {
        NDArray a = manager.create(values, new Shape(shape));
        if (precision.dataType() == DataType.FLOAT32) {
            return a;
        }
        NDArray converted = a.toType(precision.dataType(), false);
        a.close();
        return converted;
    }

    @Override
    public TransformerOps<?> open(int contextLength) {
        return new NDArrayOps(this, contextLength);
    }

    @Override
    public void close() {
        manager.close();
    }
}
