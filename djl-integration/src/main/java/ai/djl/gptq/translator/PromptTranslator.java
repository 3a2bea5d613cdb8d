package ai.djl.gptq.translator;

import ai.djl.ndarray.NDList;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;

/**
 * A translator whose input becomes one prompt and whose output is a generation from it. The whole generation
 * runs in {@link #processOutput}: the block is not called with an NDList, because generation is a loop over the
 * model's own KV-cached session rather than one forward pass.
 */
abstract class PromptTranslator<I, O> implements NoBatchifyTranslator<I, O> {

    private static final String PROMPT = "gptq.promptIds";

    final TextModel model;

    PromptTranslator(TextModel model) {
        this.model = model;
    }

    /** The prompt text of one input. */
    abstract String prompt(I input);

    /** The output generated from the prompt's token ids. */
    abstract O generate(int[] promptIds);

    @Override
    public NDList processInput(TranslatorContext ctx, I input) {
        ctx.setAttachment(PROMPT, model.encode(prompt(input)));
        return new NDList();
    }

    @Override
    public O processOutput(TranslatorContext ctx, NDList list) {
        return generate((int[]) ctx.getAttachment(PROMPT));
    }
}
