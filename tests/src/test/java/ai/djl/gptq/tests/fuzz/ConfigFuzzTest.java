package ai.djl.gptq.tests.fuzz;

import ai.djl.gptq.format.CheckpointException;
import ai.djl.gptq.format.checkpoint.CheckpointFolder;
import ai.djl.gptq.format.checkpoint.CheckpointInspector;
import ai.djl.gptq.format.safetensors.SafetensorsWriter;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Coverage-guided fuzzing of the config readers: a fuzzed {@code config.json} (with quantization settings) next to
 * a small valid weights file must either open and be described, or fail with {@link CheckpointException}.
 */
class ConfigFuzzTest {

    private static final Path DIR = folder();

    private static Path folder() {
        try {
            Path dir = Files.createTempDirectory("fuzz-config");
            new SafetensorsWriter().addInts("model.embed_tokens.qweight", new long[] {1, 1}, new int[] {0}).write(dir.resolve("model.safetensors"));
            dir.toFile().deleteOnExit();
            dir.resolve("model.safetensors").toFile().deleteOnExit();
            dir.resolve("config.json").toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @FuzzTest(maxDuration = "60s")
    void openConfig(byte[] data) throws IOException {
        Files.write(DIR.resolve("config.json"), data);
        try {
            CheckpointFolder folder = CheckpointFolder.open(DIR);
            String description = CheckpointInspector.describe(folder);
            if (description.isEmpty()) {
                throw new AssertionError("empty description of " + new String(data, StandardCharsets.UTF_8));
            }
        } catch (CheckpointException expected) {
            // The documented way to refuse a bad config.
        }
    }
}
