package ai.djl.gptq.translator;

/** {@code Predictor<String, String>}: a prompt in, the generated continuation out (without the prompt). */
public final class TextGenerationTranslator extends PromptTranslator<String, String> {

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
}
