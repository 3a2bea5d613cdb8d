package ai.djl.gptq.format.checkpoint;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The model architectures this engine runs, with the defaults transformers' config classes apply when a
 * key is absent from {@code config.json}.
 */
enum Architecture {
    LLAMA("LlamaForCausalLM", "llama", 2048, 1e-6, false, 0),
    MISTRAL("MistralForCausalLM", "mistral", 4096 * 32, 1e-6, false, 4096),
    // Qwen2's attention always has q/k/v biases; its config has no attention_bias key.
    QWEN2("Qwen2ForCausalLM", "qwen2", 32768, 1e-6, true, 4096);

    private final String className;
    private final String modelType;
    private final int defaultMaxPositionEmbeddings;
    private final double defaultRmsNormEps;
    private final boolean defaultAttentionBias;
    private final int defaultSlidingWindow;

    Architecture(
            String className,
            String modelType,
            int defaultMaxPositionEmbeddings,
            double defaultRmsNormEps,
            boolean defaultAttentionBias,
            int defaultSlidingWindow) {
        this.className = className;
        this.modelType = modelType;
        this.defaultMaxPositionEmbeddings = defaultMaxPositionEmbeddings;
        this.defaultRmsNormEps = defaultRmsNormEps;
        this.defaultAttentionBias = defaultAttentionBias;
        this.defaultSlidingWindow = defaultSlidingWindow;
    }

    String className() {
        return className;
    }

    String modelType() {
        return modelType;
    }

    int defaultMaxPositionEmbeddings() {
        return defaultMaxPositionEmbeddings;
    }

    double defaultRmsNormEps() {
        return defaultRmsNormEps;
    }

    boolean defaultAttentionBias() {
        return defaultAttentionBias;
    }

    /** The window when {@code sliding_window} is absent; 0 for an architecture without sliding windows. */
    int defaultSlidingWindow() {
        return defaultSlidingWindow;
    }

    static Architecture forClassName(String name) {
        for (Architecture a : values()) {
            if (a.className.equals(name)) {
                return a;
            }
        }
        return null;
    }

    static Architecture forModelType(String type) {
        for (Architecture a : values()) {
            if (a.modelType.equals(type)) {
                return a;
            }
        }
        return null;
    }

    /** The supported class names, for messages. */
    static String supported() {
        return Arrays.stream(values()).map(Architecture::className).collect(Collectors.joining(", "));
    }
}
