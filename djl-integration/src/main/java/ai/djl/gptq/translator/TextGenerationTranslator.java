package ai.djl.gptq.translator;

import ai.djl.inference.streaming.StreamingTranslator;
import ai.djl.ndarray.NDList;
import ai.djl.translate.TranslatorContext;
import java.util.stream.Stream;

/**
 * {@code Predictor<String, String>}: a prompt in, the generated continuation out (without the prompt). Also a DJL
 * {@link StreamingTranslator}, so {@code predictor.streamingPredict(prompt).getIterativeOutput()} works and gives
 * the same text; a {@code String} arrives whole, so to see the text piece by piece use {@link TokenStreamTranslator}
 * ({@code String -> Generation}), streaming through {@code predict} or {@code streamingPredict} alike.
 */
public final class TextGenerationTranslator extends PromptTranslator<String, String>
        implements StreamingTranslator<String, String> {

    public TextGenerationTranslator(TextModel model) {
        super(model);
    }

    @Override
    String prompt(String input) {
        return input;
    }

    @Override
    String generate(int[] promptIds) {
        return model.generator().generate(promptIds, model.defaults()).text();
    }

    @Override
    public StreamOutput<String> processStreamOutput(TranslatorContext ctx, Stream<NDList> list) {
        return streamOutput(ctx, list);
    }

    @Override
    public Support getSupport() {
        return Support.ITERATIVE;
    }
}
