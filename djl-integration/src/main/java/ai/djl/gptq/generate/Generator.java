package ai.djl.gptq.generate;

import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Starts generations: validates the prompt, then prefills it and samples one token at a time until the token
 * budget, an end-of-sequence token or a stop string ends it. Stateless apart from its collaborators, so one
 * generator may serve many threads; every generation opens its own session.
 */
public final class Generator {

    private final CausalLm model;
    private final Function<long[], String> decode;

    /**
     * @param model the model
     * @param decode turns token ids into text (e.g. {@code ids -> tokenizer.decode(ids, true)})
     */
    public Generator(CausalLm model, Function<long[], String> decode) {
        this.model = model;
        this.decode = decode;
    }

    /** What a finished generation produced. */
    public record Result(int[] promptIds, int[] generatedIds, String text, Generation.FinishReason finishReason) {}

    /**
     * Starts a generation; iterate it for streaming and close it if abandoned early.
     *
     * @throws IllegalArgumentException for an empty prompt, token ids outside the vocabulary, or a prompt that
     *     leaves no room in the model's context
     */
    public Generation start(int[] promptIds, GenerationConfig config) {
        validate(promptIds);
        return new Generation(model, decode, promptIds.clone(), config);
    }

    /** Generates to the end. */
    public Result generate(int[] promptIds, GenerationConfig config) {
        return generate(promptIds, config, piece -> {});
    }

    /** Generates to the end, handing each piece of text to {@code onText} as soon as it is safe to show. */
    public Result generate(int[] promptIds, GenerationConfig config, Consumer<String> onText) {
        try (Generation generation = start(promptIds, config)) {
            generation.forEachRemaining(onText);
            return new Result(promptIds.clone(), generation.generatedIds(), generation.text(), generation.finishReason());
        }
    }

    public CausalLm model() {
        return model;
    }

    private void validate(int[] promptIds) {
        if (promptIds.length == 0) {
            throw new IllegalArgumentException("the prompt is empty: give at least one token");
        }
        if (promptIds.length >= model.maxContext()) {
            throw new IllegalArgumentException("the prompt has " + promptIds.length + " tokens, but the model's context holds "
                    + model.maxContext() + " (prompt and generated tokens together)");
        }
        int vocab = model.vocabSize();
        for (int i = 0; i < promptIds.length; i++) {
            if (promptIds[i] < 0 || promptIds[i] >= vocab) {
                throw new IllegalArgumentException("token id " + promptIds[i] + " at position " + i + " is outside the vocabulary (0.." + (vocab - 1) + ")");
            }
        }
    }
}
