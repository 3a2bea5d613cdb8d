package ai.djl.gptq.translator;

import ai.djl.gptq.generate.Generation;
import ai.djl.gptq.generate.GenerationConfig;
import ai.djl.inference.streaming.ChunkedBytesSupplier;
import ai.djl.modality.Input;
import ai.djl.modality.Output;
import ai.djl.ndarray.NDList;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * {@code Predictor<Input, Output>}, the DJL Serving contract. Without streaming the answer is {@code
 * {"generated_text": ..., "finish_reason": ...}}; with {@code "stream": true} it is a chunked body of JSON
 * lines {@code {"token": {"text": ...}}}, produced on a separate thread as the model runs, ending with a line
 * that holds {@code generated_text}.
 */
public final class ServingTextTranslator implements NoBatchifyTranslator<Input, Output> {

    private static final String REQUEST = "gptq.request";

    private final TextModel model;

    public ServingTextTranslator(TextModel model) {
        this.model = model;
    }

    @Override
    public NDList processInput(TranslatorContext ctx, Input input) {
        ctx.setAttachment(REQUEST, ServingRequest.parse(input.getData().getAsString()));
        return new NDList();
    }

    @Override
    public Output processOutput(TranslatorContext ctx, NDList list) {
        ServingRequest request = (ServingRequest) ctx.getAttachment(REQUEST);
        String prompt = request.messages() != null ? model.renderChat(request.messages()) : request.prompt();
        GenerationConfig config = model.configFor(request.parameters());
        Generation generation = model.generator().start(model.encode(prompt), config);
        Output output = new Output();
        if (!request.stream()) {
            try (generation) {
                generation.forEachRemaining(piece -> {});
            }
            output.addProperty("Content-Type", "application/json");
            output.add(finalLine(generation).toString());
            return output;
        }
        ChunkedBytesSupplier body = new ChunkedBytesSupplier();
        output.addProperty("Content-Type", "application/jsonlines");
        output.add(body);
        Thread.ofVirtual().name("gptq-stream").start(() -> stream(generation, body));
        return output;
    }

    private static void stream(Generation generation, ChunkedBytesSupplier body) {
        try (generation) {
            while (generation.hasNext()) {
                JsonObject token = new JsonObject();
                token.addProperty("text", generation.next());
                JsonObject line = new JsonObject();
                line.add("token", token);
                body.appendContent((line + "\n").getBytes(StandardCharsets.UTF_8), false);
            }
            body.appendContent((finalLine(generation) + "\n").getBytes(StandardCharsets.UTF_8), true);
        } catch (RuntimeException e) {
            JsonObject error = new JsonObject();
            error.addProperty("error", e.getMessage());
            body.appendContent((error + "\n").getBytes(StandardCharsets.UTF_8), true);
        }
    }

    private static JsonObject finalLine(Generation generation) {
        JsonObject json = new JsonObject();
        json.addProperty("generated_text", generation.text());
        json.addProperty("finish_reason", generation.finishReason().name().toLowerCase(java.util.Locale.ROOT));
        return json;
    }
}
