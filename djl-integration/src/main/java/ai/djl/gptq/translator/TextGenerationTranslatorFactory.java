package ai.djl.gptq.translator;

import ai.djl.Model;
import ai.djl.gptq.chat.Chat;
import ai.djl.gptq.generate.Generation;
import ai.djl.modality.Input;
import ai.djl.modality.Output;
import ai.djl.modality.nlp.generate.CausalLMOutput;
import ai.djl.ndarray.NDList;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorFactory;
import ai.djl.util.Pair;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Map;
import java.util.Set;

/**
 * The translators of djl-gptq text generation, on either engine:
 *
 * <ul>
 *   <li>{@code String -> String}: a prompt in, its continuation out;
 *   <li>{@code String -> Generation}: the continuation as an iterator of text pieces (streaming);
 *   <li>{@code Chat -> String}: a conversation in, rendered with the model's chat template, the reply out;
 *   <li>{@code Input -> Output}: the DJL Serving contract (JSON in, JSON or JSON lines out);
 *   <li>{@code NDList -> CausalLMOutput}: one forward step for DJL's own {@link
 *       ai.djl.modality.nlp.generate.TextGenerator} (see {@link CausalLmTranslator}); needs no tokenizer.
 * </ul>
 *
 * Arguments ({@code optArgument}) set generation defaults: {@code maxNewTokens}, {@code doSample}, {@code
 * temperature}, {@code topK}, {@code topP}, {@code repetitionPenalty}, {@code seed}, {@code stop}, {@code
 * eosTokenIds}, {@code ignoreEos}; they override the model's {@code generation_config.json}.
 */
public final class TextGenerationTranslatorFactory implements TranslatorFactory {

    private static final Set<Pair<Type, Type>> SUPPORTED = Set.of(
            new Pair<>(String.class, String.class),
            new Pair<>(String.class, Generation.class),
            new Pair<>(Chat.class, String.class),
            new Pair<>(Input.class, Output.class),
            new Pair<>(NDList.class, CausalLMOutput.class));

    @Override
    public Set<Pair<Type, Type>> getSupportedTypes() {
        return SUPPORTED;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <I, O> Translator<I, O> newInstance(Class<I> input, Class<O> output, Model model, Map<String, ?> arguments)
            throws TranslateException {
        if (!isSupported(input, output)) {
            throw new IllegalArgumentException("unsupported types " + input.getSimpleName() + " -> " + output.getSimpleName()
                    + "; supported: String->String, String->Generation, Chat->String, Input->Output, NDList->CausalLMOutput");
        }
        if (input == NDList.class) {
            return (Translator<I, O>) CausalLmTranslator.of(model);
        }
        TextModel text;
        try {
            text = TextModel.of(model, arguments);
        } catch (IOException e) {
            throw new TranslateException(e.getMessage(), e);
        }
        if (input == Input.class) {
            return (Translator<I, O>) new ServingTextTranslator(text);
        }
        if (input == Chat.class) {
            return (Translator<I, O>) new ChatTranslator(text);
        }
        if (output == Generation.class) {
            return (Translator<I, O>) new TokenStreamTranslator(text);
        }
        return (Translator<I, O>) new TextGenerationTranslator(text);
    }
}
