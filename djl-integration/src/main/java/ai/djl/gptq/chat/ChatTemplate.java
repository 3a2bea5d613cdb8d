package ai.djl.gptq.chat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A model's chat template ({@code chat_template} in {@code tokenizer_config.json}), rendered with Jinjava, a
 * Jinja implementation for Java, under the settings transformers uses ({@code trim_blocks}, {@code
 * lstrip_blocks}) and with the variables it provides: {@code messages}, {@code add_generation_prompt}, {@code
 * bos_token}, {@code eos_token} and the function {@code raise_exception}.
 */
public final class ChatTemplate {

    private final String source;
    private final String bosToken;
    private final String eosToken;
    private final Jinjava jinjava;

    public ChatTemplate(String source, String bosToken, String eosToken) {
        this.source = source;
        this.bosToken = bosToken == null ? "" : bosToken;
        this.eosToken = eosToken == null ? "" : eosToken;
        // Jinja2 semantics rather than Jinjava's legacy ones: "{{-" strips whitespace, operators bind as in Python.
        LegacyOverrides jinja2 = LegacyOverrides.newBuilder()
                .withParseWhitespaceControlStrictly(true)
                .withUseTrimmingForNotesAndExpressions(true)
                .withUseNaturalOperatorPrecedence(true)
                .withUsePyishObjectMapper(true)
                .withKeepNullableLoopValues(true)
                .build();
        this.jinjava = new Jinjava(JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withLegacyOverrides(jinja2)
                .build());
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception", TemplateFunctions.class, "raiseException", String.class));
    }

    /**
     * Reads the template of a model folder's {@code tokenizer_config.json}; empty when the model has none.
     *
     * @throws IOException when the file cannot be read or is not JSON
     */
    public static Optional<ChatTemplate> fromTokenizerConfig(Path tokenizerConfig) throws IOException {
        if (!Files.isRegularFile(tokenizerConfig)) {
            return Optional.empty();
        }
        JsonObject json;
        try {
            JsonElement e = JsonParser.parseString(Files.readString(tokenizerConfig, StandardCharsets.UTF_8));
            if (!e.isJsonObject()) {
                throw new IOException(tokenizerConfig + ": not a JSON object");
            }
            json = e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new IOException(tokenizerConfig + ": not valid JSON: " + e.getMessage(), e);
        }
        JsonElement template = json.get("chat_template");
        if (template == null || template.isJsonNull()) {
            return Optional.empty();
        }
        String source = null;
        if (template.isJsonPrimitive()) {
            source = template.getAsString();
        } else if (template.isJsonArray()) {
            // Several named templates: transformers uses the one named "default".
            for (JsonElement t : template.getAsJsonArray()) {
                if (t.isJsonObject() && "default".equals(stringOrNull(t.getAsJsonObject().get("name")))) {
                    source = stringOrNull(t.getAsJsonObject().get("template"));
                }
            }
        }
        if (source == null) {
            throw new IOException(tokenizerConfig + ": 'chat_template' is neither a string nor a list holding a template named 'default'");
        }
        return Optional.of(new ChatTemplate(source, tokenString(json.get("bos_token")), tokenString(json.get("eos_token"))));
    }

    /**
     * Renders a conversation to the prompt text the model was trained on.
     *
     * @param addGenerationPrompt append the header that starts the assistant's reply
     * @throws ChatTemplateException when the template rejects the messages (its {@code raise_exception}) or
     *     fails to render
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        Map<String, Object> context = new HashMap<>();
        context.put("messages", messages.stream().map(ChatMessage::asTemplateValue).toList());
        context.put("add_generation_prompt", addGenerationPrompt);
        context.put("bos_token", bosToken);
        context.put("eos_token", eosToken);
        RenderResult result = jinjava.renderForResult(source, context);
        for (TemplateError error : result.getErrors()) {
            for (Throwable t = error.getException(); t != null; t = t.getCause()) {
                if (t instanceof ChatTemplateException refusal) {
                    throw refusal;
                }
            }
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new ChatTemplateException("chat template failed: " + error.getMessage(), error.getException());
            }
        }
        return result.getOutput();
    }

    private static String stringOrNull(JsonElement e) {
        return e == null || e.isJsonNull() || !e.isJsonPrimitive() ? null : e.getAsString();
    }

    /** Special tokens are a string or an AddedToken object with a {@code content}. */
    private static String tokenString(JsonElement e) {
        if (e != null && e.isJsonObject()) {
            return stringOrNull(e.getAsJsonObject().get("content"));
        }
        return stringOrNull(e);
    }
}
