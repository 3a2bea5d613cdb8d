package ai.djl.gptq.model;

/**
 * The operations a decoder is written against, for one sequence: an instance owns that sequence's KV cache and
 * scratch memory and is not thread-safe; the model weights behind it are shared read-only. {@code T} is the
 * activation type, a {@code [rows, width]} matrix with one row per token of the current forward pass.
 *
 * <p>Results may live in memory the implementation reuses: a value is valid until the next call that produces
 * a value of the same role (the next projection of the same kind, the next norm, ...). Inputs documented as
 * updated may be overwritten and returned as the result; callers use only the returned value.
 */
public interface TransformerOps<T> extends AutoCloseable {

    /** Tokens already in the KV cache: the position of the first row of the current forward pass. */
    int position();

    /** The number of tokens the KV cache holds. */
    int capacity();

    /** The most tokens one forward pass may take (longer inputs are fed in chunks of this size). */
    int maxRows();

    /** The token embeddings of {@code tokens[from..from+count)}: {@code [count, hidden]}. */
    T embed(int[] tokens, int from, int count);

    /**
     * Starts a forward pass over hidden states from outside ({@code [rows, hidden]}, e.g. to run one layer on
     * its own) instead of token embeddings; returns them in this implementation's memory.
     */
    T begin(T hidden);

    /** RMSNorm {@code norm} of layer {@code layer}, computed in fp32 and stored in the activation precision. */
    T rmsNorm(T x, int layer, NormPosition norm);

    /** The model's final RMSNorm. */
    T finalNorm(T x);

    /** {@code x W + b} for projection {@code p} of layer {@code layer}. */
    T project(T x, int layer, Projection p);

    /** Rotates every head of {@code x} ({@code [rows, heads * headDim]}) by its row's position; may update {@code x}. */
    T rope(T x);

    /**
     * Appends {@code k} and {@code v} to layer {@code layer}'s cache at {@link #position()} and returns causal
     * (and, with a sliding window, windowed) grouped-query attention of {@code q} over the cache:
     * {@code [rows, heads * headDim]}.
     */
    T attention(int layer, T q, T k, T v);

    /** {@code silu(gate) * up}; may update {@code gate}. */
    T siluGate(T gate, T up);

    /** {@code residual + delta}; may update {@code residual}. */
    T addResidual(T residual, T delta);

    /** The output projection: {@code [rows, vocab]} logits, or {@code [1, vocab]} of the last row. */
    T logits(T x, boolean lastRowOnly);

    /** Copies {@code x} row-major into {@code dst[off..]}. */
    void read(T x, float[] dst, int off);

    /** Commits the current forward pass of {@code rows} tokens: {@link #position()} advances by {@code rows}. */
    void advance(int rows);

    /** Frees the cache and scratch memory. */
    @Override
    void close();
}
