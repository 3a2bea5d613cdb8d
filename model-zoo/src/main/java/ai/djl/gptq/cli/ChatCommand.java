package ai.djl.gptq.cli;

import ai.djl.gptq.chat.ChatMessage;
import ai.djl.gptq.chat.ChatTemplate;
import ai.djl.gptq.generate.GenerationConfig;
import ai.djl.gptq.generate.Generator;
import ai.djl.gptq.translator.LanguageModels;
import ai.djl.gptq.translator.ModelTokenizer;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code chat}: a conversation rendered with the model's {@code chat_template}. Each line of standard input is a
 * user message answered with the history kept; standard input that starts with {@code [} is instead a JSON array
 * of {@code {role, content}} messages, answered once.
 */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = {"Chat with the model through its chat_template (greedy decoding).",
            "Each line of standard input is a user message; the reply is printed and the history kept.",
            "Standard input starting with '[' is a JSON array of {\"role\", \"content\"} messages, answered once."})
final class ChatCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Option(names = "--max-new-tokens", description = "Tokens per reply at most (default: the model's generation_config.json, else 64).")
    Integer maxNewTokens;

    @Option(names = "--system", description = "A system message that opens the conversation.")
    String system;

    @Override
    public Integer call() throws Exception {
        Path dir = LoadedModel.locate(model.model);
        Path tokenizerConfig = dir.resolve("tokenizer_config.json");
        ChatTemplate template = ChatTemplate.fromTokenizerConfig(tokenizerConfig).orElseThrow(() -> new IllegalArgumentException(
                tokenizerConfig + ": no chat_template; this model cannot chat (use generate)"));
        // The folder is located once: a hub model is not resolved again when the model is loaded.
        model.model = dir.toString();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        try (LoadedModel loaded = LoadedModel.open(model);
                HuggingFaceTokenizer tokenizer = ModelTokenizer.open(dir)) {
            Generator generator = new Generator(LanguageModels.adapt(loaded.lm), t -> tokenizer.decode(t, true));
            GenerationConfig config = config(dir);
            List<ChatMessage> history = new ArrayList<>();
            if (system != null) {
                history.add(ChatMessage.system(system));
            }
            if (startsWithBracket(in)) {
                history.addAll(messages(in));
                out.println(reply(generator, tokenizer, template, history, config, null));
                return 0;
            }
            // Since JDK 22 System.console() exists even when redirected: only a terminal gets prompts and streaming.
            boolean console = System.console() != null && System.console().isTerminal();
            for (String line = prompt(in, console); line != null; line = prompt(in, console)) {
                if (line.isBlank()) {
                    continue;
                }
                history.add(ChatMessage.user(line));
                String text = reply(generator, tokenizer, template, history, config, console ? out : null);
                if (!console) {
                    out.print(text);
                }
                out.println();
                history.add(ChatMessage.assistant(text));
            }
        }
        return 0;
    }

    /** Generates the assistant's next message; streams it to {@code stream} when not null. */
    private static String reply(Generator generator, HuggingFaceTokenizer tokenizer, ChatTemplate template,
            List<ChatMessage> history, GenerationConfig config, PrintStream stream) {
        int[] prompt = ModelTokenizer.encode(tokenizer, template.render(history, true));
        return generator.generate(prompt, config, piece -> {
            if (stream != null) {
                stream.print(piece);
            }
        }).text();
    }

    private static String prompt(BufferedReader in, boolean console) throws IOException {
        if (console) {
            System.out.print("> ");
            System.out.flush();
        }
        return in.readLine();
    }

    /** Whether the first non-blank character is {@code [}; the reader is left at that character. */
    private static boolean startsWithBracket(Reader in) throws IOException {
        while (true) {
            in.mark(1);
            int c = in.read();
            if (c < 0) {
                return false;
            }
            if (!Character.isWhitespace(c)) {
                in.reset();
                return c == '[';
            }
        }
    }

    private static List<ChatMessage> messages(Reader in) {
        JsonElement json;
        try {
            json = JsonParser.parseReader(in);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("standard input: not a JSON array of messages: " + e.getMessage(), e);
        }
        JsonArray array = json.getAsJsonArray();
        List<ChatMessage> messages = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            JsonElement e = array.get(i);
            if (!e.isJsonObject() || !isString(e.getAsJsonObject(), "role") || !isString(e.getAsJsonObject(), "content")) {
                throw new IllegalArgumentException("standard input: message " + i + " is not {\"role\": string, \"content\": string}");
            }
            JsonObject m = e.getAsJsonObject();
            messages.add(new ChatMessage(m.get("role").getAsString(), m.get("content").getAsString()));
        }
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("standard input: the JSON array holds no messages");
        }
        return messages;
    }

    private static boolean isString(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString();
    }

    private GenerationConfig config(Path dir) throws IOException {
        Path file = dir.resolve("generation_config.json");
        GenerationConfig base = Files.isRegularFile(file) ? GenerationConfig.read(file) : GenerationConfig.DEFAULT;
        GenerationConfig greedy = base.with(Map.of("doSample", false));
        return maxNewTokens == null ? greedy : greedy.with(Map.of("maxNewTokens", maxNewTokens));
    }
}
