package ai.djl.gptq.model;

/** A model's weights in the form one {@link TransformerOps} implementation computes with. */
interface DecoderBackend extends AutoCloseable {

    /** Opens the ops of one new sequence whose KV cache holds {@code contextLength} tokens. */
    TransformerOps<?> open(int contextLength);

    /** Releases the weights (unmaps the checkpoint); open sequences become unusable. */
    @Override
    void close();
}
