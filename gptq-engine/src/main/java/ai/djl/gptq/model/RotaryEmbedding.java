package ai.djl.gptq.model;

import ai.djl.gptq.format.UnsupportedCheckpointException;
import ai.djl.gptq.format.checkpoint.ModelConfig;
import ai.djl.gptq.format.checkpoint.RopeScaling;

/**
 * Rotary position embedding in transformers' convention: the head vector is split into halves
 * {@code (x1, x2)} and rotated as {@code (x1 cos - x2 sin, x2 cos + x1 sin)} with angle
 * {@code position * invFreq[i]} for element {@code i} of each half. Frequencies are computed in fp32, as
 * transformers does, with the {@code rope_scaling} types {@code default}, {@code linear} and {@code llama3}.
 */
public final class RotaryEmbedding {

    private final int headDim;
    private final float[] invFreq;

    /**
     * @throws UnsupportedCheckpointException for a rope type other than default, linear and llama3
     */
    public RotaryEmbedding(ModelConfig config) {
        this.headDim = config.headDim();
        this.invFreq = inverseFrequencies(config);
    }

    /** The width of one head. */
    public int headDim() {
        return headDim;
    }

    /**
     * Writes the {@code headDim / 2} cosines and sines of {@code position} to {@code cos[off..]} and
     * {@code sin[off..]}, rounded as {@code precision} stores them.
     */
    public void angles(int position, ActivationPrecision precision, float[] cos, float[] sin, int off) {
        float p = position;
        for (int i = 0; i < invFreq.length; i++) {
            float angle = invFreq[i] * p;
            cos[off + i] = precision.round((float) Math.cos(angle));
            sin[off + i] = precision.round((float) Math.sin(angle));
        }
    }

    private static float[] inverseFrequencies(ModelConfig config) {
        int dim = config.headDim();
        float base = (float) config.ropeTheta();
        float[] inv = new float[dim / 2];
        for (int i = 0; i < inv.length; i++) {
            float exponent = (float) (2 * i) / dim;
            inv[i] = 1.0f / (float) Math.pow(base, exponent);
        }
        RopeScaling scaling = config.ropeScaling();
        if (scaling == null) {
            return inv;
        }
        switch (scaling.type()) {
            case "default" -> {}
            case "linear" -> {
                float factor = (float) scaling.factor();
                for (int i = 0; i < inv.length; i++) {
                    inv[i] /= factor;
                }
            }
            case "llama3" -> llama3(inv, scaling);
            default -> throw new UnsupportedCheckpointException(config.file(), "rope_scaling", "rope type "
                    + scaling.type() + " is not supported by the decoder; supported: default, linear, llama3");
        }
        return inv;
    }

    /** Llama 3.1: long wavelengths slowed down by the factor, short ones kept, the band between blended. */
    private static void llama3(float[] inv, RopeScaling s) {
        float factor = (float) s.factor();
        float low = (float) s.lowFreqFactor();
        float high = (float) s.highFreqFactor();
        float oldContext = s.originalMaxPositionEmbeddings();
        float lowFreqWavelen = oldContext / low;
        float highFreqWavelen = oldContext / high;
        for (int i = 0; i < inv.length; i++) {
            float wavelen = (float) (2 * Math.PI) / inv[i];
            if (wavelen > lowFreqWavelen) {
                inv[i] = inv[i] / factor;
            } else if (wavelen >= highFreqWavelen) {
                float smooth = (oldContext / wavelen - low) / (high - low);
                inv[i] = (1 - smooth) * inv[i] / factor + smooth * inv[i];
            }
        }
    }
}
