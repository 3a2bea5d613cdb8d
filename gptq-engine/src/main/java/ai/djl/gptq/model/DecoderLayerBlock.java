package ai.djl.gptq.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * One pre-norm decoder layer, written once for every architecture and backend:
 *
 * <pre>h = h + o_proj(attention(rope(q_proj(n)), rope(k_proj(n)), v_proj(n))),   n = input_layernorm(h)
 * h = h + down_proj(silu(gate_proj(n)) * up_proj(n)),                         n = post_attention_layernorm(h)</pre>
 *
 * <p>The model block calls {@link #forward(TransformerOps, Object)} with either backend. Run on its own as a DJL
 * block, its input is the hidden state {@code [rows, hidden]} of an NDArray-backed session passed under
 * {@link CausalLmBlock#SESSION} in the forward parameters; it attends at the session's current position and
 * writes this layer's cache rows there (the position advances only when the model block completes a pass).
 */
public final class DecoderLayerBlock extends AbstractBlock {

    private final int layer;

    DecoderLayerBlock(int layer, int hiddenSize) {
        super((byte) 1);
        this.layer = layer;
        this.inputShapes = new Shape[] {new Shape(-1, hiddenSize)};
    }

    /** This layer's index in the model. */
    public int layer() {
        return layer;
    }

    /** Runs the layer on the hidden state {@code h} of the current forward pass of {@code ops}. */
    public <T> T forward(TransformerOps<T> ops, T h) {
        T n = ops.rmsNorm(h, layer, NormPosition.INPUT);
        T q = ops.rope(ops.project(n, layer, Projection.Q));
        T k = ops.rope(ops.project(n, layer, Projection.K));
        T v = ops.project(n, layer, Projection.V);
        T attended = ops.attention(layer, q, k, v);
        h = ops.addResidual(h, ops.project(attended, layer, Projection.O));
        n = ops.rmsNorm(h, layer, NormPosition.POST_ATTENTION);
        T gated = ops.siluGate(ops.project(n, layer, Projection.GATE), ops.project(n, layer, Projection.UP));
        return ops.addResidual(h, ops.project(gated, layer, Projection.DOWN));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        TransformerOps<NDArray> ops = CausalLmBlock.ndArrayOps(params);
        return new NDList(forward(ops, ops.begin(inputs.singletonOrThrow())));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        return inputs;
    }

    @Override
    public String toString() {
        return "DecoderLayer(" + layer + ")";
    }
}
