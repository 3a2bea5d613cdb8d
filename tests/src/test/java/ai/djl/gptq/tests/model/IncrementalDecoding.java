package ai.djl.gptq.tests.model;

import ai.djl.gptq.model.CausalLanguageModel;

/**
 * Runs a sequence through a KV-cache session: the first {@code prefill} tokens in one call, then one token per
 * call, collecting the logits of every position as one forward pass would return them.
 */
final class IncrementalDecoding {

    private IncrementalDecoding() {}

    static float[] logits(CausalLanguageModel model, int[] tokens, int prefill) {
        int vocab = model.vocabSize();
        float[] all = new float[tokens.length * vocab];
        try (CausalLanguageModel.Session session = model.newSession(tokens.length)) {
            int[] head = java.util.Arrays.copyOf(tokens, prefill);
            System.arraycopy(session.forwardAll(head), 0, all, 0, prefill * vocab);
            int[] step = new int[1];
            for (int i = prefill; i < tokens.length; i++) {
                step[0] = tokens[i];
                System.arraycopy(session.forward(step), 0, all, i * vocab, vocab);
                if (session.position() != i + 1) {
                    throw new AssertionError("position " + session.position() + " after " + (i + 1) + " tokens");
                }
            }
        }
        return all;
    }

    /** {@code length} token ids cycling through {@code seed}: a long input built from a real prompt. */
    static int[] cycled(int[] seed, int length) {
        int[] tokens = new int[length];
        for (int i = 0; i < length; i++) {
            tokens[i] = seed[i % seed.length];
        }
        return tokens;
    }

    static int[] concat(int[] a, int[] b) {
        int[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
