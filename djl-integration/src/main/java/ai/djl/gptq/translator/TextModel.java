package ai.djl.gptq.translator;

import ai.djl.Model;
import ai.djl.gptq.chat.ChatMessage;
import ai.djl.gptq.chat.ChatTemplate;
import ai.djl.gptq.generate.CausalLm;
import ai.djl.gptq.generate.GenerationConfig;
import ai.djl.gptq.generate.Generator;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What every text translator of one model shares: the tokenizer, the chat template, the generation defaults
 * (the model's {@code generation_config.json} overridden by the translator arguments) and the generator.
 * Thread-safe: predictors on many threads use one instance.
 */
public final class TextModel {

    private final HuggingFaceTokenizer tokenizer;
    private final Generator generator;
    private final GenerationConfig defaults;
    private final ChatTemplate chatTemplate;

    TextModel(HuggingFaceTokenizer tokenizer, CausalLm lm, GenerationConfig defaults, ChatTemplate chatTemplate) {
        this.tokenizer = tokenizer;
        this.generator = new Generator(lm, ids -> tokenizer.decode(ids, true));
        this.defaults = defaults;
        this.chatTemplate = chatTemplate;
    }

    /**
     * Builds the shared state of a loaded DJL model on either engine.
     *
     * @param arguments translator arguments ({@code maxNewTokens}, {@code temperature}, ...) that override the
     *     model's generation defaults
     */
    public static TextModel of(Model model, Map<String, ?> arguments) throws IOException {
        Path dir = model.getModelPath();
        CausalLm lm = LanguageModels.of(model);
        HuggingFaceTokenizer tokenizer = ModelTokenizer.open(dir);
        Path generationConfig = dir.resolve("generation_config.json");
        GenerationConfig defaults = Files.isRegularFile(generationConfig) ? GenerationConfig.read(generationConfig) : GenerationConfig.DEFAULT;
        try {
            defaults = defaults.with(arguments);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("translator arguments: " + e.getMessage(), e);
        }
        ChatTemplate template = ChatTemplate.fromTokenizerConfig(dir.resolve("tokenizer_config.json")).orElse(null);
        return new TextModel(tokenizer, lm, defaults, template);
    }

    /** Token ids of {@code text}, without special tokens added (as the references tokenize prompts). */
    public int[] encode(String text) {
        return ModelTokenizer.encode(tokenizer, text);
    }

    /** Text of {@code ids}, skipping special tokens. */
    public String decode(int[] ids) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            l[i] = ids[i];
        }
        return tokenizer.decode(l, true);
    }

    /** The prompt text of a conversation, rendered with the model's chat template. */
    public String renderChat(List<ChatMessage> messages) {
        if (chatTemplate == null) {
            throw new IllegalArgumentException("this model has no chat template ('chat_template' in tokenizer_config.json); use plain text generation");
        }
        return chatTemplate.render(messages, true);
    }

    /** Generation defaults: the model's, overridden by the translator's arguments. */
    public GenerationConfig defaults() {
        return defaults;
    }

    /** The defaults overridden by one request's parameters. */
    public GenerationConfig configFor(Map<String, ?> parameters) {
        return parameters == null || parameters.isEmpty() ? defaults : defaults.with(parameters);
    }

    public Generator generator() {
        return generator;
    }
}
