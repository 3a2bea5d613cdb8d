package ai.djl.gptq.translator;

import ai.djl.ndarray.NDList;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;

/**
 * {@code Predictor<String, String>}: a prompt in, the generated continuation out (without the prompt). The
 * whole generation runs in {@link #processOutput}; the block is not called with an NDList because generation
 * is a loop over the model's own KV-cached session, not one forward pass.
 */
public final class TextGenerationTranslator implements NoBatchifyTranslator<String, String> {

    private static final String PROMPT = "gptq.promptIds";

    private final TextModel model;

    public TextGenerationTranslator(TextModel model) {
        this.model = model;
    }

    @Override
    public NDList processInput(TranslatorContext ctx, String prompt) {
        ctx.setAttachment(PROMPT, model.encode(prompt));
        return new NDList();
    }

    @Override
    public String processOutput(TranslatorContext ctx, NDList list) {
        int[] prompt = (int[]) ctx.getAttachment(PROMPT);
        return model.generator().generate(prompt, model.defaults()).text();
    }
}
