package ai.djl.gptq.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from a row of logits the way transformers' {@code generate} does: repetition penalty,
 * then (when sampling) temperature, top-k, top-p and a draw from the softmax; otherwise the arg max. One
 * sampler belongs to one generation: it owns its random generator and scratch buffers, so it is not
 * thread-safe and allocates nothing per token once warmed up.
 */
public final class Sampler {

    private final GenerationConfig config;
    private final SplittableRandom random;
    private long[] order = new long[0];
    private boolean[] penalised = new boolean[0];

    public Sampler(GenerationConfig config) {
        this.config = config;
        this.random = new SplittableRandom(config.seed());
    }

    /**
     * Chooses the next token. {@code logits} is modified in place (penalty and temperature applied).
     *
     * @param logits one row of logits over the vocabulary
     * @param seen tokens of the prompt and the generation so far (for the repetition penalty)
     * @param seenCount how many entries of {@code seen} are valid
     */
    public int next(float[] logits, int[] seen, int seenCount) {
        for (float v : logits) {
            if (Float.isNaN(v)) {
                throw new IllegalStateException("the model produced NaN logits; the model file or activations are broken");
            }
        }
        if (config.repetitionPenalty() != 1f) {
            applyRepetitionPenalty(logits, seen, seenCount, config.repetitionPenalty());
        }
        if (!config.doSample()) {
            return argMax(logits);
        }
        return sample(logits);
    }

    /** The index of the largest value; the first one on ties, as {@code torch.argmax}. */
    public static int argMax(float[] logits) {
        int best = 0;
        float max = logits[0];
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > max) {
                max = logits[i];
                best = i;
            }
        }
        return best;
    }

    /** transformers' CTRL penalty: each distinct seen token's logit is divided (if positive) or multiplied by it. */
    private void applyRepetitionPenalty(float[] logits, int[] seen, int seenCount, float penalty) {
        if (penalised.length < logits.length) {
            penalised = new boolean[logits.length];
        }
        // A token seen twice is penalised once, as transformers' gather/scatter does.
        for (int i = 0; i < seenCount; i++) {
            int t = seen[i];
            if (t >= 0 && t < logits.length && !penalised[t]) {
                penalised[t] = true;
                logits[t] = logits[t] < 0 ? logits[t] * penalty : logits[t] / penalty;
            }
        }
        for (int i = 0; i < seenCount; i++) {
            if (seen[i] >= 0 && seen[i] < logits.length) {
                penalised[seen[i]] = false;
            }
        }
    }

    private int sample(float[] logits) {
        int vocab = logits.length;
        float invT = 1f / config.temperature();
        if (order.length < vocab) {
            order = new long[vocab];
        }
        // Sort by logit, descending, carrying the token id in the low 32 bits.
        for (int i = 0; i < vocab; i++) {
            order[i] = ((long) sortableBits(-logits[i] * invT) << 32) | i;
        }
        Arrays.sort(order, 0, vocab);
        int keep = config.topK() > 0 ? Math.min(config.topK(), vocab) : vocab;
        double max = logits[token(0)] * invT;
        double total = 0;
        for (int i = 0; i < keep; i++) {
            total += Math.exp(logits[token(i)] * invT - max);
        }
        if (config.topP() < 1f) {
            // Smallest prefix whose probability reaches top_p (at least one token).
            double cumulative = 0;
            int n = 0;
            while (n < keep) {
                cumulative += Math.exp(logits[token(n)] * invT - max) / total;
                n++;
                if (cumulative >= config.topP()) {
                    break;
                }
            }
            keep = n;
            total = 0;
            for (int i = 0; i < keep; i++) {
                total += Math.exp(logits[token(i)] * invT - max);
            }
        }
        double r = random.nextDouble() * total;
        for (int i = 0; i < keep; i++) {
            r -= Math.exp(logits[token(i)] * invT - max);
            if (r < 0) {
                return token(i);
            }
        }
        return token(keep - 1);
    }

    private int token(int rank) {
        return (int) order[rank];
    }

    /** Maps a float to an int whose signed order is the float's order (for -0.0 &lt; 0.0 it doesn't matter). */
    private static int sortableBits(float f) {
        int bits = Float.floatToIntBits(f);
        return bits < 0 ? bits ^ 0x7fffffff : bits;
    }
}
