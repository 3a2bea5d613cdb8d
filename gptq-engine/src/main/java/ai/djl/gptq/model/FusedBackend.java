package ai.djl.gptq.model;

import ai.djl.gptq.format.checkpoint.CheckpointFolder;
import ai.djl.gptq.format.checkpoint.ModelConfig;
import ai.djl.gptq.format.safetensors.TensorSource;
import ai.djl.gptq.kernel.DenseMatrix;
import ai.djl.gptq.kernel.Kernels;
import ai.djl.gptq.kernel.MatmulKernel;

/**
 * The weights of a model in the kernels' form, shared read-only by all sequences: quantized layers packed,
 * dense ones (embeddings, norms, a dense or tied {@code lm_head}) zero-copy over the mapped checkpoint in their
 * stored precision. The checkpoint stays mapped until {@link #close()}.
 */
final class FusedBackend implements DecoderBackend {

    final ModelConfig config;
    final ActivationPrecision precision;
    final MatmulKernel kernel;
    final RotaryEmbedding rope;
    final DenseMatrix embedding;
    final FusedLinear[][] projections;
    final float[][][] norms;
    final float[] finalNorm;
    final FusedLinear lmHead;
    private final TensorSource source;

    private FusedBackend(CheckpointWeights weights, ActivationPrecision precision) {
        this.config = weights.config();
        this.precision = precision;
        this.kernel = Kernels.best();
        this.rope = new RotaryEmbedding(config);
        this.source = weights.source();
        this.embedding = DenseMatrix.of(weights.embedding());
        int layers = config.numLayers();
        this.projections = new FusedLinear[layers][Projection.values().length];
        this.norms = new float[layers][NormPosition.values().length][];
        for (int l = 0; l < layers; l++) {
            for (Projection p : Projection.values()) {
                projections[l][p.ordinal()] = FusedLinear.of(weights.projection(l, p));
            }
            for (NormPosition n : NormPosition.values()) {
                norms[l][n.ordinal()] = weights.norm(l, n);
            }
        }
        this.finalNorm = weights.finalNorm();
        CheckpointLinear head = weights.lmHead();
        this.lmHead = head == null ? FusedLinear.of(embedding, config.vocabSize()) : FusedLinear.of(head);
    }

    static FusedBackend load(CheckpointFolder folder, ActivationPrecision precision) {
        TensorSource source = folder.openWeights();
        try {
            return new FusedBackend(new CheckpointWeights(folder, source), precision);
        } catch (RuntimeException e) {
            source.close();
            throw e;
        }
    }

    @Override
    public TransformerOps<?> open(int contextLength) {
        return new FusedOps(this, contextLength);
    }

    @Override
    public void close() {
        source.close();
    }
}
