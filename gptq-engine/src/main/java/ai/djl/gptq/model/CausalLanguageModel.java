package ai.djl.gptq.model;

import ai.djl.gptq.format.checkpoint.CheckpointFolder;
import ai.djl.gptq.format.checkpoint.ModelConfig;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;

/**
 * A loaded decoder-only language model, the Java API the engine, translators and command line share: load a
 * checkpoint folder, run a forward pass, continue a sequence with its KV cache, generate greedily. The weights
 * are read-only and shared by every {@link Session}; each session owns its cache, so sessions on different
 * threads may run at once.
 */
public final class CausalLanguageModel implements AutoCloseable {

    private final ModelConfig config;
    private final ActivationPrecision precision;
    private final DecoderBackend backend;
    private final CausalLmBlock block;
    // Volatile so that a close on one thread is seen by a session opened on another.
    private volatile boolean closed;

    private CausalLanguageModel(ModelConfig config, ActivationPrecision precision, DecoderBackend backend) {
        this.config = config;
        this.precision = precision;
        this.backend = backend;
        this.block = new CausalLmBlock(this);
    }

    /**
     * Loads {@code dir} for the fused kernels of the GPTQ engine: quantized layers stay packed, dense tensors stay
     * in their stored precision, zero-copy over the mapped files.
     *
     * @throws ai.djl.gptq.format.CheckpointException when the folder, a config or a tensor is invalid or unsupported
     */
    public static CausalLanguageModel load(Path dir, ActivationPrecision precision) {
        CheckpointFolder folder = CheckpointFolder.open(dir);
        return new CausalLanguageModel(folder.config(), precision, FusedBackend.load(folder, precision));
    }

    /**
     * Loads {@code dir} for the generic implementation made of plain NDArray calls on {@code manager}'s engine:
     * every quantized layer is dequantized once into an NDArray of the activation precision's type.
     *
     * @param manager the manager that owns the weights (and so the engine that runs them); the model does not
     *     close it
     */
    public static CausalLanguageModel loadDequantized(Path dir, NDManager manager, ActivationPrecision precision) {
        CheckpointFolder folder = CheckpointFolder.open(dir);
        return new CausalLanguageModel(folder.config(), precision, NDArrayBackend.load(folder, manager, precision));
    }

    public ModelConfig config() {
        return config;
    }

    public ActivationPrecision precision() {
        return precision;
    }

    /** The DJL block of this model (see {@link CausalLmBlock} for its inputs and outputs). */
    public CausalLmBlock block() {
        return block;
    }

    /** The length of a logits row. */
    public int vocabSize() {
        return config.vocabSize();
    }

    /** The longest sequence the model supports ({@code max_position_embeddings}). */
    public int maxContext() {
        return config.maxPositionEmbeddings();
    }

    /**
     * Opens a sequence whose KV cache holds {@code contextLength} tokens, allocated now.
     *
     * @throws IllegalArgumentException when {@code contextLength} is not in 1..{@link #maxContext()}
     */
    public Session newSession(int contextLength) {
        if (contextLength < 1 || contextLength > maxContext()) {
            throw new IllegalArgumentException("context length " + contextLength + " is not in 1.." + maxContext());
        }
        if (closed) {
            throw new IllegalStateException("the model " + config.file().getParent() + " is closed");
        }
        return session(backend.open(contextLength));
    }

    private <T> Session session(TransformerOps<T> ops) {
        return new DecoderSession<>(block, ops, config.vocabSize());
    }

    /** The logits of every position of {@code tokens} from one forward pass: {@code [T, vocab]} row-major. */
    public float[] logits(int[] tokens) {
        try (Session session = newSession(Math.max(1, tokens.length))) {
            return session.forwardAll(tokens);
        }
    }

    /**
     * Generates {@code count} tokens after {@code prompt}, always taking the most likely one (the first on a tie),
     * without stopping at an end-of-sequence token.
     */
    public int[] generateGreedy(int[] prompt, int count) {
        if (count < 1) {
            throw new IllegalArgumentException("count " + count + " < 1");
        }
        int[] generated = new int[count];
        try (Session session = newSession(Math.max(1, prompt.length + count - 1))) {
            float[] logits = session.forward(prompt);
            int[] step = new int[1];
            for (int i = 0; i < count; i++) {
                generated[i] = argMax(logits);
                if (i + 1 < count) {
                    step[0] = generated[i];
                    logits = session.forward(step);
                }
            }
        }
        return generated;
    }

    private static int argMax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Unmaps the weights; sessions still open become unusable. */
    @Override
    public void close() {
        closed = true;
        backend.close();
    }

    @Override
    public String toString() {
        return block + " " + precision + " activations";
    }

    /**
     * One sequence: its KV cache and position. Not thread-safe; close it to free the cache.
     */
    public interface Session extends AutoCloseable {

        /**
         * Runs {@code tokens} at the next positions and returns the logits of the last one; the array is reused
         * by the next call.
         *
         * @throws IllegalArgumentException for no tokens, an id outside the vocabulary, or more tokens than the
         *     cache has room for
         */
        float[] forward(int[] tokens);

        /** Like {@link #forward} but returns the logits of every position, {@code [T, vocab]} row-major, newly allocated. */
        float[] forwardAll(int[] tokens);

        /**
         * Like {@link #forwardAll(int[])}, and from the same pass copies into {@code lastHidden} (at least
         * {@code T * hidden} floats) the last layer's hidden states after the final norm, {@code [T, hidden]}
         * row-major: transformers' {@code output_hidden_states[-1]} (its {@code last_hidden_state}).
         */
        float[] forwardAll(int[] tokens, float[] lastHidden);

        /**
         * Runs {@code tokens} like {@link #forwardAll} and returns the hidden states instead of logits: index 0
         * the embeddings, index {@code l + 1} the output of layer {@code l} (before the final norm), each
         * {@code [T, hidden]} row-major. For comparing engines layer by layer.
         */
        float[][] hiddenStates(int[] tokens);

        /** Tokens processed so far. */
        int position();

        /** Tokens the cache holds. */
        int capacity();

        @Override
        void close();
    }
}
