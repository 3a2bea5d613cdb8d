package ai.djl.gptq.model;

import ai.djl.gptq.format.checkpoint.ModelConfig;
import ai.djl.inference.streaming.StreamingBlock;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A decoder-only causal language model as a DJL block: token embedding, the {@link DecoderLayerBlock}s, the final
 * norm and the output projection. The weights live in the backend behind the {@link TransformerOps} (fused
 * kernels on the GPTQ engine, plain NDArrays elsewhere), so the block has no DJL parameters.
 *
 * <p>DJL forward: input {@code [T]} (or {@code [1, T]}) token ids, output {@code [T, vocab]} float32 logits of
 * every position. By default every call is a fresh sequence; pass a {@link CausalLanguageModel.Session} under
 * {@link #SESSION} in the forward parameters to continue one with its KV cache.
 */
public final class CausalLmBlock extends AbstractBlock implements StreamingBlock {

    /** Forward parameter: the {@link CausalLanguageModel.Session} whose cache a call continues. */
    public static final String SESSION = "session";

    /** Which logits a forward pass produces. */
    public enum Output {
        /** None: only the KV cache is filled (a prompt chunk before the last). */
        NONE,
        /** The last row only (generation). */
        LAST_ROW,
        /** Every row (scoring, tests). */
        ALL_ROWS
    }

    private final CausalLanguageModel model;
    private final ModelConfig config;
    private final DecoderLayerBlock[] layers;

    CausalLmBlock(CausalLanguageModel model) {
        super((byte) 1);
        this.model = model;
        this.config = model.config();
        this.layers = new DecoderLayerBlock[config.numLayers()];
        for (int i = 0; i < layers.length; i++) {
            layers[i] = addChildBlock("layer" + i, new DecoderLayerBlock(i, config.hiddenSize()));
        }
        this.inputShapes = new Shape[] {new Shape(-1)};
        this.inputNames = List.of("input_ids");
    }

    /** The model this block runs, with the Java API for sessions and generation. */
    public CausalLanguageModel languageModel() {
        return model;
    }

    /**
     * Runs {@code tokens[from..from+count)} at the next positions of {@code ops}'s sequence and commits them to
     * its cache; returns the logits {@code output} asks for ({@code null} for {@link Output#NONE}).
     */
    public <T> T forward(TransformerOps<T> ops, int[] tokens, int from, int count, Output output) {
        return forward(ops, tokens, from, count, output, null);
    }

    /**
     * Like {@link #forward(TransformerOps, int[], int, int, Output)}, showing {@code tap} the hidden state after
     * the embedding (index 0) and after each layer (index {@code l + 1}), before the final norm.
     */
    public <T> T forward(TransformerOps<T> ops, int[] tokens, int from, int count, Output output, HiddenStateTap<T> tap) {
        return forward(ops, tokens, from, count, output, tap, null);
    }

    /**
     * Like {@link #forward(TransformerOps, int[], int, int, Output, HiddenStateTap)}, also showing {@code normed}
     * the last layer's hidden state after the final norm ({@code [count, hidden]}, all rows): the last entry of
     * transformers' {@code output_hidden_states}, from the same pass as the logits.
     */
    public <T> T forward(TransformerOps<T> ops, int[] tokens, int from, int count, Output output, HiddenStateTap<T> tap,
            java.util.function.Consumer<T> normed) {
        T h = ops.embed(tokens, from, count);
        if (tap != null) {
            tap.hidden(0, h);
        }
        for (DecoderLayerBlock layer : layers) {
            h = layer.forward(ops, h);
            if (tap != null) {
                tap.hidden(layer.layer() + 1, h);
            }
        }
        T logits = null;
        if (normed != null) {
            T n = ops.finalNorm(h);
            normed.accept(n);
            logits = output == Output.NONE ? null : ops.logits(n, output == Output.LAST_ROW);
        } else if (output != Output.NONE) {
            logits = ops.logits(ops.finalNorm(h), output == Output.LAST_ROW);
        }
        ops.advance(count);
        return logits;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray ids = inputs.head();
        if (ids.getShape().dimension() == 2 && ids.getShape().get(0) == 1) {
            ids = ids.reshape(-1);
        }
        if (ids.getShape().dimension() != 1) {
            throw new IllegalArgumentException("input_ids must be [T] or [1, T], got " + ids.getShape());
        }
        int[] tokens = tokenIds(ids);
        Object session = params == null ? null : params.get(SESSION);
        float[] logits;
        if (session instanceof CausalLanguageModel.Session s) {
            logits = s.forwardAll(tokens);
        } else if (session == null) {
            logits = model.logits(tokens);
        } else {
            throw new IllegalArgumentException(SESSION + " must be a CausalLanguageModel.Session, got " + session.getClass());
        }
        NDManager manager = ids.getManager();
        return new NDList(manager.create(logits, new Shape(tokens.length, config.vocabSize())));
    }

    /**
     * DJL's streaming forward, for {@code Predictor.streamingPredict}: no input gives no chunk (as
     * {@code Predictor.predict} skips the block for an empty input: our text translators generate in their own
     * KV-cached loop and stream its text themselves); any other input gives one chunk, the result of
     * {@link #forward}, computed when it is read.
     */
    @Override
    public Iterator<NDList> forwardStreamIter(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        if (inputs == null || inputs.isEmpty()) {
            return Collections.emptyIterator();
        }
        return new Iterator<>() {
            private boolean done;

            @Override
            public boolean hasNext() {
                return !done;
            }

            @Override
            public NDList next() {
                if (done) {
                    throw new NoSuchElementException();
                }
                done = true;
                return forward(parameterStore, inputs, training, params);
            }
        };
    }

    /** Sees the hidden state of a forward pass between layers; it must not keep or change {@code hidden}. */
    @FunctionalInterface
    public interface HiddenStateTap<T> {
        void hidden(int index, T hidden);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        return new Shape[] {new Shape(inputs[0].get(inputs[0].dimension() - 1), config.vocabSize())};
    }

    private static int[] tokenIds(NDArray ids) {
        if (ids.getDataType() == DataType.INT32) {
            return ids.toIntArray();
        }
        if (ids.getDataType() != DataType.INT64) {
            throw new IllegalArgumentException("input_ids must be INT32 or INT64, got " + ids.getDataType());
        }
        long[] wide = ids.toLongArray();
        int[] tokens = new int[wide.length];
        for (int i = 0; i < wide.length; i++) {
            if (wide[i] != (int) wide[i]) {
                throw new IllegalArgumentException("token id " + wide[i] + " at " + i + " is out of range");
            }
            tokens[i] = (int) wide[i];
        }
        return tokens;
    }

    /** The NDArray ops of the session under {@link #SESSION}, for a {@link DecoderLayerBlock} run on its own. */
    @SuppressWarnings("unchecked")
    static TransformerOps<NDArray> ndArrayOps(PairList<String, Object> params) {
        Object session = params == null ? null : params.get(SESSION);
        if (session instanceof DecoderSession<?> s && s.ops() instanceof NDArrayOps) {
            return (TransformerOps<NDArray>) s.ops();
        }
        throw new IllegalArgumentException("a decoder layer run on its own needs a session of a model loaded for"
                + " NDArrays (CausalLanguageModel.loadDequantized) under '" + SESSION + "' in the forward parameters");
    }

    @Override
    public String toString() {
        return config.architecture() + "(layers=" + layers.length + ", hidden=" + config.hiddenSize() + ", heads="
                + config.numHeads() + "/" + config.numKvHeads() + ", vocab=" + config.vocabSize() + ")";
    }
}
