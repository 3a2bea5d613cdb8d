package ai.djl.gptq.model;

import java.util.Objects;

/** A {@link CausalLanguageModel.Session} over the ops of one backend, feeding long inputs in chunks. */
final class DecoderSession<T> implements CausalLanguageModel.Session {

    private final CausalLmBlock block;
    private final TransformerOps<T> ops;
    private final int vocab;
    private final float[] lastLogits;
    // Volatile: a session closed on one thread must stop a generation running on another.
    private volatile boolean closed;

    DecoderSession(CausalLmBlock block, TransformerOps<T> ops, int vocab) {
        this.block = block;
        this.ops = ops;
        this.vocab = vocab;
        this.lastLogits = new float[vocab];
    }

    @Override
    public float[] forward(int[] tokens) {
        check(tokens);
        int chunk = ops.maxRows();
        for (int from = 0; from < tokens.length; from += chunk) {
            int count = Math.min(chunk, tokens.length - from);
            boolean last = from + count == tokens.length;
            T logits = block.forward(ops, tokens, from, count, last ? CausalLmBlock.Output.LAST_ROW : CausalLmBlock.Output.NONE);
            if (last) {
                ops.read(logits, lastLogits, 0);
            }
        }
        return lastLogits;
    }

    @Override
    public float[] forwardAll(int[] tokens) {
        check(tokens);
        float[] all = new float[Math.multiplyExact(tokens.length, vocab)];
        int chunk = ops.maxRows();
        for (int from = 0; from < tokens.length; from += chunk) {
            int count = Math.min(chunk, tokens.length - from);
            ops.read(block.forward(ops, tokens, from, count, CausalLmBlock.Output.ALL_ROWS), all, from * vocab);
        }
        return all;
    }

    @Override
    public float[] forwardAll(int[] tokens, float[] lastHidden) {
        check(tokens);
        int width = block.languageModel().config().hiddenSize();
        Objects.requireNonNull(lastHidden, "lastHidden");
        if (lastHidden.length < (long) tokens.length * width) {
            throw new IllegalArgumentException("lastHidden holds " + lastHidden.length + " floats, " + tokens.length
                    + " tokens of width " + width + " need " + (long) tokens.length * width);
        }
        float[] all = new float[Math.multiplyExact(tokens.length, vocab)];
        int chunk = ops.maxRows();
        for (int from = 0; from < tokens.length; from += chunk) {
            int count = Math.min(chunk, tokens.length - from);
            int hiddenOffset = from * width;
            T logits = block.forward(ops, tokens, from, count, CausalLmBlock.Output.ALL_ROWS, null,
                    n -> ops.read(n, lastHidden, hiddenOffset));
            ops.read(logits, all, from * vocab);
        }
        return all;
    }

    @Override
    public float[][] hiddenStates(int[] tokens) {
        check(tokens);
        int layers = block.getChildren().size();
        int width = block.languageModel().config().hiddenSize();
        float[][] states = new float[layers + 1][Math.multiplyExact(tokens.length, width)];
        int chunk = ops.maxRows();
        for (int from = 0; from < tokens.length; from += chunk) {
            int count = Math.min(chunk, tokens.length - from);
            int offset = from * width;
            block.forward(ops, tokens, from, count, CausalLmBlock.Output.NONE, (index, h) -> ops.read(h, states[index], offset));
        }
        return states;
    }

    TransformerOps<T> ops() {
        return ops;
    }

    @Override
    public int position() {
        return ops.position();
    }

    @Override
    public int capacity() {
        return ops.capacity();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            ops.close();
        }
    }

    private void check(int[] tokens) {
        Objects.requireNonNull(tokens, "tokens");
        if (closed) {
            throw new IllegalStateException("the session is closed");
        }
        if (tokens.length == 0) {
            throw new IllegalArgumentException("no tokens");
        }
        if (tokens.length > ops.capacity() - ops.position()) {
            throw new IllegalArgumentException(tokens.length + " tokens do not fit: the cache holds " + ops.capacity()
                    + " and " + ops.position() + " are used");
        }
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= vocab) {
                throw new IllegalArgumentException("token id " + tokens[i] + " at " + i + " is outside the vocabulary [0, "
                        + vocab + ")");
            }
        }
    }
}
