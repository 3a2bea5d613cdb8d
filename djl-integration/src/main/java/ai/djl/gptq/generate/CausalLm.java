package ai.djl.gptq.generate;

/**
 * A causal language model as generation sees it: something that opens sessions, each holding its own KV
 * cache. The model itself is shared read-only, so sessions on many threads may run at once.
 */
public interface CausalLm {

    /** Size of the vocabulary: the length of a logits row. */
    int vocabSize();

    /** The longest sequence (prompt plus generated tokens) the model supports. */
    int maxContext();

    /**
     * Opens a session whose KV cache holds up to {@code contextLength} tokens.
     *
     * @throws IllegalArgumentException when {@code contextLength} is not in 1..{@link #maxContext()}
     */
    Session newSession(int contextLength);

    /** One sequence being generated: its KV cache and position. Not thread-safe; close it to free the cache. */
    interface Session extends AutoCloseable {

        /**
         * Runs {@code tokens} through the model at the next positions and returns the logits of the last one.
         * The returned array may be reused by the next call.
         */
        float[] forward(int[] tokens);

        /** Tokens processed so far. */
        int position();

        @Override
        void close();
    }
}
