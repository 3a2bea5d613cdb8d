package ai.djl.gptq.translator;

import ai.djl.gptq.generate.Generation;
import ai.djl.ndarray.NDList;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;

/**
 * {@code Predictor<String, Generation>}: returns at once with a {@link Generation}, an iterator that produces
 * the text piece by piece as the model runs (never a broken UTF-8 character). Iterate it to the end or close
 * it to free its KV cache.
 */
public final class TokenStreamTranslator implements NoBatchifyTranslator<String, Generation> {

    private static final String PROMPT = "gptq.promptIds";

    private final TextModel model;

    public TokenStreamTranslator(TextModel model) {
        this.model = model;
    }

    @Override
    public NDList processInput(TranslatorContext ctx, String prompt) {
        ctx.setAttachment(PROMPT, model.encode(prompt));
        return new NDList();
    }

    @Override
    public Generation processOutput(TranslatorContext ctx, NDList list) {
        return model.generator().start((int[]) ctx.getAttachment(PROMPT), model.defaults());
    }
}
