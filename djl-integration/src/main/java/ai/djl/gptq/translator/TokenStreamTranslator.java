package ai.djl.gptq.translator;

import ai.djl.gptq.generate.Generation;
import ai.djl.inference.streaming.StreamingTranslator;
import ai.djl.ndarray.NDList;
import ai.djl.translate.TranslatorContext;
import java.util.stream.Stream;

/**
 * {@code Predictor<String, Generation>}: returns at once with a {@link Generation}, an iterator that produces
 * the text piece by piece as the model runs (never a broken UTF-8 character). Iterate it to the end or close
 * it to free its KV cache.
 */
public final class TokenStreamTranslator extends PromptTranslator<String, Generation>
        implements StreamingTranslator<String, Generation> {

    public TokenStreamTranslator(TextModel model) {
        super(model);
    }

    @Override
    String prompt(String input) {
        return input;
    }

    @Override
    Generation generate(int[] promptIds) {
        return model.generator().start(promptIds, model.defaults());
    }

    @Override
    public StreamOutput<Generation> processStreamOutput(TranslatorContext ctx, Stream<NDList> list) {
        return streamOutput(ctx, list);
    }

    @Override
    public Support getSupport() {
        return Support.ITERATIVE;
    }
}
