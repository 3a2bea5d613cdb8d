package ai.djl.gptq.generate;

import java.util.Arrays;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The generation loop: prefill the prompt, then pick and feed one token at a time until the token budget,
 * an end-of-sequence token or a stop string ends it. Stateless apart from its collaborators, so one generator
 * may serve many threads; every call opens its own session.
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

    /** What a generation produced. */
    public record Result(int[] promptIds, int[] generatedIds, String text, FinishReason finishReason) {}

    /** Why generation ended. */
    public enum FinishReason {
        LENGTH,
        EOS,
        STOP
    }

    /** Generates without streaming. */
    public Result generate(int[] promptIds, GenerationConfig config) {
        return generate(promptIds, config, piece -> {});
    }

    /**
     * Generates, handing each completed piece of text to {@code onText} as soon as it is safe to show: never a
     * broken UTF-8 character, never the beginning of a stop string that may still complete.
     *
     * @throws IllegalArgumentException for an empty prompt, token ids outside the vocabulary, or a prompt that
     *     leaves no room in the model's context
     */
    public Result generate(int[] promptIds, GenerationConfig config, Consumer<String> onText) {
        validate(promptIds);
        int context = Math.min(model.maxContext(), promptIds.length + config.maxNewTokens());
        int budget = context - promptIds.length;
        Sampler sampler = new Sampler(config);
        StopSequences stops = new StopSequences(config.stop());
        IncrementalDecoder pieces = new IncrementalDecoder(decode);
        StringBuilder text = new StringBuilder();
        int emitted = 0;
        int[] seen = Arrays.copyOf(promptIds, promptIds.length + budget);
        int generated = 0;
        FinishReason reason = FinishReason.LENGTH;
        try (CausalLm.Session session = model.newSession(context)) {
            float[] logits = session.forward(promptIds);
            int[] step = new int[1];
            while (generated < budget) {
                int token = sampler.next(logits, seen, promptIds.length + generated);
                if (config.isEos(token)) {
                    reason = FinishReason.EOS;
                    break;
                }
                seen[promptIds.length + generated++] = token;
                text.append(pieces.add(token));
                int stopAt = stops.find(text);
                if (stopAt >= 0) {
                    text.setLength(stopAt);
                    reason = FinishReason.STOP;
                    break;
                }
                int safe = stops.safeLength(text);
                if (safe > emitted) {
                    onText.accept(text.substring(emitted, safe));
                    emitted = safe;
                }
                if (generated == budget) {
                    break;
                }
                step[0] = token;
                logits = session.forward(step);
            }
        }
        if (reason != FinishReason.STOP) {
            text.append(pieces.flush());
            int stopAt = stops.find(text);
            if (stopAt >= 0) {
                text.setLength(stopAt);
                reason = FinishReason.STOP;
            }
        }
        if (text.length() > emitted) {
            onText.accept(text.substring(emitted));
        }
        int[] out = Arrays.copyOfRange(seen, promptIds.length, promptIds.length + generated);
        return new Result(promptIds.clone(), out, text.toString(), reason);
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
