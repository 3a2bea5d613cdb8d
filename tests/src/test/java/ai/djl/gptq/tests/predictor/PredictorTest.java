package ai.djl.gptq.tests.predictor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.gptq.chat.Chat;
import ai.djl.gptq.chat.ChatMessage;
import ai.djl.gptq.generate.Generation;
import ai.djl.gptq.translator.TextGenerationTranslatorFactory;
import ai.djl.gptq.translator.TextModel;
import ai.djl.gptq.translator.TokenStreamTranslator;
import ai.djl.gptq.zoo.DefaultModel;
import ai.djl.inference.Predictor;
import ai.djl.inference.streaming.ChunkedBytesSupplier;
import ai.djl.modality.Input;
import ai.djl.modality.Output;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.ServingTranslatorFactory;
import ai.djl.translate.TranslateException;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The user's view: unchanged DJL Predictor code on both engines, by zoo name, by folder, through DJL Serving's contract. */
class PredictorTest {

    private static final Path QWEN = Path.of("src/test/resources/fixtures/models/qwen2-gptq-int4");
    private static final String PROMPT = "def fibonacci(n):\n";

    private static String generate(Criteria<String, String> criteria, String prompt) throws Exception {
        try (ZooModel<String, String> model = criteria.loadModel(); Predictor<String, String> predictor = model.newPredictor()) {
            return predictor.predict(prompt);
        }
    }

    @Test
    void zooNameOnBothEnginesGivesTheSameGreedyText() throws Exception {
        Criteria<String, String> gptq = Criteria.builder()
                .setTypes(String.class, String.class)
                .optArtifactId(DefaultModel.ARTIFACT_ID)
                .optArgument("maxNewTokens", 12)
                .optArgument("activations", "fp32")
                .build();
        String text = generate(gptq, PROMPT);
        assertFalse(text.isEmpty());
        String pytorch = generate(gptq.toBuilder().optEngine("PyTorch").build(), PROMPT);
        assertEquals(text, pytorch);
    }

    @Test
    void localFolderWithTheTranslatorFactory() throws Exception {
        Criteria<String, String> criteria = Criteria.builder()
                .setTypes(String.class, String.class)
                .optModelPath(QWEN)
                .optEngine("GPTQ")
                .optTranslatorFactory(new TextGenerationTranslatorFactory())
                .optArgument("maxNewTokens", 6)
                .build();
        try (ZooModel<String, String> model = criteria.loadModel(); Predictor<String, String> predictor = model.newPredictor()) {
            String a = predictor.predict(PROMPT);
            assertEquals(a, predictor.predict(PROMPT), "greedy generation is deterministic");
            TranslateException empty = assertThrows(TranslateException.class, () -> predictor.predict(""));
            assertTrue(String.valueOf(empty.getMessage()).contains("empty") || String.valueOf(empty.getCause()).contains("empty"), String.valueOf(empty));
        }
    }

    @Test
    void streamingYieldsTheSameTextPieceByPiece() throws Exception {
        Criteria<String, Generation> criteria = Criteria.builder()
                .setTypes(String.class, Generation.class)
                .optArtifactId(DefaultModel.ARTIFACT_ID)
                .optArgument("maxNewTokens", 10)
                .build();
        try (ZooModel<String, Generation> model = criteria.loadModel(); Predictor<String, Generation> predictor = model.newPredictor()) {
            List<String> pieces = new ArrayList<>();
            try (Generation generation = predictor.predict(PROMPT)) {
                generation.forEachRemaining(pieces::add);
                assertEquals(generation.text(), String.join("", pieces));
            }
            assertTrue(pieces.size() > 1, pieces.toString());
            String whole = generate(Criteria.builder().setTypes(String.class, String.class)
                    .optArtifactId(DefaultModel.ARTIFACT_ID).optArgument("maxNewTokens", 10).build(), PROMPT);
            assertEquals(whole, String.join("", pieces));
        }
    }

    @Test
    void streamingPredictOnTheGptqEngine() throws Exception {
        Criteria<String, String> criteria = Criteria.builder()
                .setTypes(String.class, String.class)
                .optModelPath(QWEN)
                .optEngine("GPTQ")
                .optTranslatorFactory(new TextGenerationTranslatorFactory())
                .optArgument("maxNewTokens", 8)
                .optArgument("doSample", false)
                .build();
        try (ZooModel<String, String> model = criteria.loadModel();
                Predictor<String, String> predictor = model.newPredictor();
                Predictor<String, Generation> pieces = model.newPredictor(
                        new TokenStreamTranslator(TextModel.of(model, Map.of("maxNewTokens", 8, "doSample", false))))) {
            assertTrue(predictor.supportsStreaming());
            String whole = predictor.predict(PROMPT);
            assertEquals(whole, predictor.streamingPredict(PROMPT).getIterativeOutput());
            assertThrows(UnsupportedOperationException.class, () -> predictor.streamingPredict(PROMPT).getAsyncOutput());

            assertTrue(pieces.supportsStreaming());
            List<String> seen = new ArrayList<>();
            try (Generation generation = pieces.streamingPredict(PROMPT).getIterativeOutput()) {
                generation.forEachRemaining(seen::add);
            }
            assertTrue(seen.size() > 1, seen.toString());
            assertEquals(whole, String.join("", seen));
        }
    }

    @Test
    void chatRendersTheModelsTemplate(@TempDir Path dir) throws Exception {
        for (String f : List.of("config.json", "generation_config.json", "model.safetensors", "tokenizer.json")) {
            Files.copy(QWEN.resolve(f), dir.resolve(f));
        }
        JsonObject tokenizerConfig = JsonParser.parseString(Files.readString(QWEN.resolve("tokenizer_config.json"))).getAsJsonObject();
        tokenizerConfig.addProperty("chat_template",
                "{% for m in messages %}{{ '### ' + m['role'] + ':\\n' + m['content'] + '\\n' }}{% endfor %}"
                        + "{% if add_generation_prompt %}{{ '### assistant:\\n' }}{% endif %}");
        Files.writeString(dir.resolve("tokenizer_config.json"), tokenizerConfig.toString());
        Criteria<Chat, String> criteria = Criteria.builder()
                .setTypes(Chat.class, String.class)
                .optModelPath(dir)
                .optEngine("GPTQ")
                .optTranslatorFactory(new TextGenerationTranslatorFactory())
                .optArgument("maxNewTokens", 5)
                .build();
        try (ZooModel<Chat, String> model = criteria.loadModel(); Predictor<Chat, String> predictor = model.newPredictor()) {
            String reply = predictor.predict(Chat.of(ChatMessage.user("def add(a, b):")));
            // The same text fed as a plain prompt must give the same continuation: the template was applied.
            Criteria<String, String> plain = Criteria.builder().setTypes(String.class, String.class).optModelPath(dir)
                    .optEngine("GPTQ").optTranslatorFactory(new TextGenerationTranslatorFactory()).optArgument("maxNewTokens", 5).build();
            assertEquals(generate(plain, "### user:\ndef add(a, b):\n### assistant:\n"), reply);
        }
    }

    @Test
    void servingContractThroughServingTranslatorFactory() throws Exception {
        Criteria<Input, Output> criteria = Criteria.builder()
                .setTypes(Input.class, Output.class)
                .optModelPath(QWEN)
                .optEngine("GPTQ")
                .optTranslatorFactory(new ServingTranslatorFactory())
                .optArgument("translatorFactory", TextGenerationTranslatorFactory.class.getName())
                .build();
        try (ZooModel<Input, Output> model = criteria.loadModel(); Predictor<Input, Output> predictor = model.newPredictor()) {
            Input input = new Input();
            input.add("{\"inputs\": \"def fibonacci(n):\\n\", \"parameters\": {\"max_new_tokens\": 6}}");
            Output output = predictor.predict(input);
            JsonObject json = JsonParser.parseString(output.getData().getAsString()).getAsJsonObject();
            String text = json.get("generated_text").getAsString();
            assertEquals("length", json.get("finish_reason").getAsString());

            Input streaming = new Input();
            streaming.add("{\"inputs\": \"def fibonacci(n):\\n\", \"parameters\": {\"max_new_tokens\": 6}, \"stream\": true}");
            ChunkedBytesSupplier chunks = (ChunkedBytesSupplier) predictor.predict(streaming).getData();
            StringBuilder streamed = new StringBuilder();
            String last = null;
            while (chunks.hasNext()) {
                String line = new String(chunks.nextChunk(30, TimeUnit.SECONDS), StandardCharsets.UTF_8).strip();
                JsonObject o = JsonParser.parseString(line).getAsJsonObject();
                if (o.has("token")) {
                    streamed.append(o.getAsJsonObject("token").get("text").getAsString());
                }
                last = line;
            }
            assertEquals(text, streamed.toString());
            assertTrue(last.contains("generated_text"), last);
        }
    }
}
