package ai.djl.gptq.tests.predictor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.gptq.format.safetensors.SafetensorsFile;
import ai.djl.gptq.translator.TextGenerationTranslator;
import ai.djl.gptq.translator.TextGenerationTranslatorFactory;
import ai.djl.gptq.translator.TextModel;
import ai.djl.inference.Predictor;
import ai.djl.modality.nlp.generate.CausalLMOutput;
import ai.djl.modality.nlp.generate.SearchConfig;
import ai.djl.modality.nlp.generate.TextGenerator;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** DJL's own {@link TextGenerator} over {@code Predictor<NDList, CausalLMOutput>} on the GPTQ engine. */
class TextGeneratorTest {

    private static final Path QWEN = Path.of("src/test/resources/fixtures/models/qwen2-gptq-int4");
    private static final Path REFERENCE = Path.of("src/test/resources/fixtures/reference/qwen2-gptq-int4.safetensors");
    private static final int NEW_TOKENS = 24;

    private static ZooModel<NDList, CausalLMOutput> model;

    @BeforeAll
    static void load() throws Exception {
        model = Criteria.builder()
                .setTypes(NDList.class, CausalLMOutput.class)
                .optModelPath(QWEN)
                .optEngine("GPTQ")
                .optTranslatorFactory(new TextGenerationTranslatorFactory())
                .optArgument("activations", "fp32")
                .build()
                .loadModel();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** The {@code count} ids DJL's greedy search generates after {@code prompt}. */
    private static long[] search(String searchName, long[] prompt, int count) throws Exception {
        return search(searchName, 1, prompt, count)[0];
    }

    /** The {@code count} ids of each of the {@code beams} rows DJL's search returns after {@code prompt}. */
    private static long[][] search(String searchName, int beams, long[] prompt, int count) throws Exception {
        SearchConfig config = new SearchConfig();
        config.setBeam(beams);
        return search(searchName, config, beams, prompt, count);
    }

    /** Like {@link #search(String, int, long[], int)} with the other settings of {@code config}. */
    private static long[][] search(String searchName, SearchConfig config, int beams, long[] prompt, int count)
            throws Exception {
        config.setMaxSeqLength(prompt.length + count);
        // no token of the prompt is padding
        config.setPadTokenId(-1);
        try (Predictor<NDList, CausalLMOutput> predictor = model.newPredictor();
                NDManager manager = model.getNDManager().newSubManager()) {
            assertEquals("GPTQ", manager.getEngine().getEngineName(), "the search's ops run on the GPTQ engine");
            NDArray ids = manager.create(prompt, new Shape(1, prompt.length));
            NDArray out = new TextGenerator(predictor, searchName, config).generate(ids);
            assertEquals(new Shape(beams, prompt.length + count), out.getShape(), "rows of prompt and generated ids");
            long[] all = out.toLongArray();
            long[][] rows = new long[beams][];
            for (int b = 0; b < beams; b++) {
                int from = b * (prompt.length + count);
                assertArrayEquals(prompt, Arrays.copyOfRange(all, from, from + prompt.length), "row " + b + " starts with the prompt");
                rows[b] = Arrays.copyOfRange(all, from + prompt.length, from + prompt.length + count);
            }
            return rows;
        }
    }

    @Test
    void greedySearchMatchesTheReference() throws Exception {
        long[] prompt;
        long[] expected;
        float[] margins;
        try (SafetensorsFile f = SafetensorsFile.open(REFERENCE)) {
            prompt = longs(f.tensor("p0.input_ids").toIntArray());
            expected = longs(f.tensor("p0.generated_ids").toIntArray());
            margins = f.tensor("p0.margins").toFloatArray();
        }
        long[] got = search("greedy", prompt, NEW_TOKENS);
        for (int i = 0; i < NEW_TOKENS; i++) {
            assertEquals(expected[i], got[i], "token " + i);
            if (margins[i] < 0.01f) {
                break;
            }
        }
    }

    @Test
    void greedySearchGivesTheTextOfTheTextGenerationTranslator() throws Exception {
        String prompt = "def fibonacci(n):\n";
        TextModel text = TextModel.of(model, Map.of("maxNewTokens", NEW_TOKENS, "ignoreEos", true, "doSample", false));
        String expected;
        try (Predictor<String, String> predictor = model.newPredictor(new TextGenerationTranslator(text))) {
            expected = predictor.predict(prompt);
        }
        long[] got = search("greedy", longs(text.encode(prompt)), NEW_TOKENS);
        assertEquals(expected, text.decode(Arrays.stream(got).mapToInt(Math::toIntExact).toArray()));
    }

    @Test
    void beamSearchOfOneBeamIsGreedyAndBeamsDiffer() throws Exception {
        long[] prompt;
        try (SafetensorsFile f = SafetensorsFile.open(REFERENCE)) {
            prompt = longs(f.tensor("p0.input_ids").toIntArray());
        }
        long[] greedy = search("greedy", prompt, 6);
        assertArrayEquals(greedy, search("beam", 1, prompt, 6)[0]);
        long[][] beams = search("beam", 3, prompt, 6);
        for (int i = 0; i < beams.length; i++) {
            for (int j = i + 1; j < beams.length; j++) {
                assertFalse(Arrays.equals(beams[i], beams[j]), "beams " + i + " and " + j + " are one sequence");
            }
        }
    }

    /** The {@code count} ids DJL's contrastive search (top 4) generates after {@code prompt} with {@code alpha}. */
    private static long[] contrastive(float alpha, long[] prompt, int count) throws Exception {
        SearchConfig config = new SearchConfig();
        config.setK(4);
        config.setAlpha(alpha);
        return search("contrastive", config, 1, prompt, count)[0];
    }

    @Test
    void contrastiveSearchIsDeterministicAndWithoutPenaltyIsGreedy() throws Exception {
        long[] prompt;
        try (SafetensorsFile f = SafetensorsFile.open(REFERENCE)) {
            prompt = longs(f.tensor("p0.input_ids").toIntArray());
        }
        int count = 8;
        long[] first = contrastive(0.6f, prompt, count);
        assertArrayEquals(first, contrastive(0.6f, prompt, count), "two runs of one contrastive search");
        assertArrayEquals(search("greedy", prompt, count), contrastive(0f, prompt, count),
                "contrastive search with alpha 0 is greedy");
    }

    private static long[] longs(int[] ints) {
        return Arrays.stream(ints).asLongStream().toArray();
    }
}
