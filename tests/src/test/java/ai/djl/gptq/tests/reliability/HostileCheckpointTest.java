package ai.djl.gptq.tests.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.gptq.cli.Main;
import ai.djl.gptq.format.CheckpointException;
import ai.djl.gptq.format.InconsistentWeightsException;
import ai.djl.gptq.format.InvalidConfigException;
import ai.djl.gptq.format.MalformedSafetensorsException;
import ai.djl.gptq.format.UnsupportedCheckpointException;
import ai.djl.gptq.format.checkpoint.CheckpointFolder;
import ai.djl.gptq.format.safetensors.SafetensorsFile;
import ai.djl.gptq.format.safetensors.SafetensorsWriter;
import ai.djl.gptq.format.safetensors.Tensor;
import ai.djl.gptq.format.safetensors.TensorInfo;
import ai.djl.gptq.model.ActivationPrecision;
import ai.djl.gptq.model.CausalLanguageModel;
import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.ZooModel;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Forged copies of a real checkpoint, each refused by the loader and by the command line with the project's typed
 * exception naming the file; and hostile inference inputs refused with a message saying what is wrong.
 */
@Timeout(120)
class HostileCheckpointTest {

    private static final Path QWEN = ConcurrentPredictorsTest.QWEN;
    private static final String WEIGHTS = "model.safetensors";
    private static final String Q_PROJ = "model.layers.0.self_attn.q_proj";

    @TempDir
    Path temp;

    private Path copy() throws IOException {
        Path dir = Files.createTempDirectory(temp, "model");
        for (String f : List.of("config.json", "generation_config.json", WEIGHTS, "tokenizer.json", "tokenizer_config.json")) {
            Files.copy(QWEN.resolve(f), dir.resolve(f));
        }
        return dir;
    }

    private Path withConfig(Consumer<JsonObject> edit) throws IOException {
        Path dir = copy();
        JsonObject config = JsonParser.parseString(Files.readString(dir.resolve("config.json"))).getAsJsonObject();
        edit.accept(config);
        Files.writeString(dir.resolve("config.json"), config.toString());
        return dir;
    }

    /** Rewrites the weights with {@code edit} applied to each tensor's (name, shape, bytes). */
    private Path withWeights(UnaryOperator<Forged> edit) throws IOException {
        Path dir = copy();
        SafetensorsWriter writer = new SafetensorsWriter();
        try (SafetensorsFile file = SafetensorsFile.open(QWEN.resolve(WEIGHTS))) {
            for (TensorInfo info : file.infos()) {
                Tensor t = file.tensor(info.name());
                Forged f = edit.apply(new Forged(t.name(), t.shape(), t.data().toArray(ValueLayout.JAVA_BYTE)));
                writer.add(f.name(), t.dtype(), f.shape(), f.bytes());
            }
        }
        writer.write(dir.resolve(WEIGHTS));
        return dir;
    }

    private record Forged(String name, long[] shape, byte[] bytes) {}

    /** Refused by the loader with {@code type}, naming {@code file}; then by the CLI with one line, exit code not 0. */
    private static void assertRefused(Class<? extends CheckpointException> type, Path dir, String file) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> {
            CheckpointFolder.open(dir);
            CausalLanguageModel.load(dir, ActivationPrecision.FP16).close();
        });
        assertInstanceOf(type, e, e.toString());
        assertTrue(e.getMessage().contains(file), "'" + e.getMessage() + "' does not name " + file);
        CliRun cli = cli("generate", "--model", dir.toString(), "--ids", "1,2", "--max-new-tokens", "1");
        assertNotEquals(0, cli.exitCode());
        assertEquals(1, cli.err().strip().lines().count(), cli.err());
        assertTrue(cli.err().contains(file), cli.err());
    }

    private record CliRun(int exitCode, String err) {}

    private static CliRun cli(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            return new CliRun(Main.run(args), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void configMissing() throws IOException {
        Path dir = copy();
        Files.delete(dir.resolve("config.json"));
        assertRefused(CheckpointException.class, dir, "config.json");
    }

    @Test
    void configNotJson() throws IOException {
        Path dir = copy();
        Files.writeString(dir.resolve("config.json"), "{\"architectures\": [\"Qwen2ForCausalLM\"");
        assertRefused(InvalidConfigException.class, dir, "config.json");
    }

    @Test
    void unknownArchitecture() throws IOException {
        Path dir = withConfig(c -> {
            c.add("architectures", JsonParser.parseString("[\"FalconForCausalLM\"]"));
            c.addProperty("model_type", "falcon");
        });
        assertRefused(UnsupportedCheckpointException.class, dir, "config.json");
    }

    @Test
    void fiveBits() throws IOException {
        Path dir = withConfig(c -> c.getAsJsonObject("quantization_config").addProperty("bits", 5));
        assertRefused(UnsupportedCheckpointException.class, dir, "config.json");
    }

    @Test
    void groupSizeNotDividingK() throws IOException {
        Path dir = withConfig(c -> c.getAsJsonObject("quantization_config").addProperty("group_size", 100));
        assertRefused(CheckpointException.class, dir, WEIGHTS);
    }

    @Test
    void hiddenSizeTenToTheTwelfth() throws IOException {
        Path dir = withConfig(c -> c.addProperty("hidden_size", 1_000_000_000_000L));
        assertRefused(InvalidConfigException.class, dir, "config.json");
    }

    @Test
    void negativeLayerCount() throws IOException {
        Path dir = withConfig(c -> c.addProperty("num_hidden_layers", -2));
        assertRefused(InvalidConfigException.class, dir, "config.json");
    }

    private Path sharded(String shardName) throws IOException {
        Path dir = copy();
        Files.delete(dir.resolve(WEIGHTS));
        Files.writeString(dir.resolve("model.safetensors.index.json"),
                "{\"metadata\": {}, \"weight_map\": {\"model.embed_tokens.weight\": \"" + shardName + "\"}}");
        return dir;
    }

    @Test
    void shardIndexNamingAMissingFile() throws IOException {
        assertRefused(CheckpointException.class, sharded("model-00001-of-00002.safetensors"), "model-00001-of-00002.safetensors");
    }

    @Test
    void shardIndexEscapingTheFolder() throws IOException {
        Path dir = sharded("../outside.safetensors");
        Files.copy(QWEN.resolve(WEIGHTS), dir.getParent().resolve("outside.safetensors"));
        assertRefused(CheckpointException.class, dir, "outside.safetensors");
    }

    @Test
    void weightsSymlinkedOutsideTheFolder() throws IOException {
        Path dir = copy();
        Path outside = temp.resolve("elsewhere.safetensors");
        Files.move(dir.resolve(WEIGHTS), outside);
        Files.createSymbolicLink(dir.resolve(WEIGHTS), outside.toAbsolutePath());
        assertRefused(CheckpointException.class, dir, WEIGHTS);
    }

    @Test
    void weightsTruncated() throws IOException {
        Path dir = copy();
        try (FileChannel channel = FileChannel.open(dir.resolve(WEIGHTS), StandardOpenOption.WRITE)) {
            channel.truncate(channel.size() - 4096);
        }
        assertRefused(MalformedSafetensorsException.class, dir, WEIGHTS);
    }

    @Test
    void qweightOfTheWrongShape() throws IOException {
        Path dir = withWeights(t -> t.name().equals(Q_PROJ + ".qweight")
                ? new Forged(t.name(), new long[] {t.shape()[0] * 2, t.shape()[1] / 2}, t.bytes()) : t);
        assertRefused(InconsistentWeightsException.class, dir, WEIGHTS);
    }

    @Test
    void groupIndexOutOfRange() throws IOException {
        Path dir = withWeights(t -> {
            if (!t.name().equals(Q_PROJ + ".g_idx")) {
                return t;
            }
            byte[] bytes = t.bytes().clone();
            bytes[4 * 7] = (byte) 0xff;
            bytes[4 * 7 + 1] = (byte) 0x7f;
            return new Forged(t.name(), t.shape(), bytes);
        });
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve(WEIGHTS))) {
            assertTrue(f.contains(Q_PROJ + ".g_idx"), "the fixture has no g_idx to forge");
        }
        assertRefused(InconsistentWeightsException.class, dir, WEIGHTS);
    }

    /** The whole cause chain's messages, where a translator wraps the real one. */
    private static String messages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t).append(" | ");
        }
        return all.toString();
    }

    private static void assertPredictionRefused(int maxNewTokens, List<Object> extra, String prompt, String expected) {
        Exception e = assertThrows(Exception.class, () -> {
            var builder = ConcurrentPredictorsTest.criteria(maxNewTokens).toBuilder();
            for (int i = 0; i < extra.size(); i += 2) {
                builder.optArgument((String) extra.get(i), extra.get(i + 1));
            }
            try (ZooModel<String, String> model = builder.build().loadModel();
                    Predictor<String, String> predictor = model.newPredictor()) {
                predictor.predict(prompt);
            }
        });
        assertFalse(e instanceof NullPointerException || e instanceof ArrayIndexOutOfBoundsException, messages(e));
        assertTrue(messages(e).contains(expected), messages(e));
    }

    @Test
    void hostileInferenceInputs() {
        assertPredictionRefused(4, List.of(), "", "empty");
        assertPredictionRefused(4, List.of(), "x = 1\n".repeat(2000), "context");
        assertPredictionRefused(0, List.of(), "def f():", "maxNewTokens");
        assertPredictionRefused(1_000_000_000, List.of(), "def f():", "maxNewTokens");
        assertPredictionRefused(4, List.of("doSample", true, "temperature", 0), "def f():", "temperature");
        try (CausalLanguageModel model = CausalLanguageModel.load(QWEN, ActivationPrecision.FP16)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.logits(new int[] {1, 4096}));
            assertTrue(e.getMessage().contains("outside the vocabulary"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> model.logits(new int[] {-1}));
            assertTrue(e.getMessage().contains("outside the vocabulary"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> model.newSession(model.maxContext() + 1));
            assertTrue(e.getMessage().contains("context length"), e.getMessage());
        }
        CliRun cli = cli("generate", "--model", QWEN.toString(), "--ids", "1,2", "--max-new-tokens", "0");
        assertNotEquals(0, cli.exitCode());
        assertEquals(1, cli.err().strip().lines().count(), cli.err());
    }
}
