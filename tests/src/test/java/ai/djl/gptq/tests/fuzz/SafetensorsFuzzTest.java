package ai.djl.gptq.tests.fuzz;

import ai.djl.gptq.format.CheckpointException;
import ai.djl.gptq.format.safetensors.SafetensorsFile;
import ai.djl.gptq.format.safetensors.Tensor;
import ai.djl.gptq.format.safetensors.TensorInfo;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Coverage-guided fuzzing of the safetensors reader: any input must either open (and then every tensor's first
 * and last element must be readable) or fail with the project's {@link CheckpointException}. Anything else — an
 * unchecked exception of another type, an OutOfMemoryError, a crash, a hang — is a finding. Without
 * {@code JAZZER_FUZZ=1} this replays the seeds and past findings in {@code SafetensorsFuzzTestInputs}.
 */
class SafetensorsFuzzTest {

    private static final Path FILE = temporaryFile();

    private static Path temporaryFile() {
        try {
            Path file = Files.createTempFile("fuzz", ".safetensors");
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @FuzzTest(maxDuration = "60s")
    void openAndRead(byte[] data) throws IOException {
        Files.write(FILE, data);
        try (SafetensorsFile file = SafetensorsFile.open(FILE)) {
            for (TensorInfo info : file.infos()) {
                Tensor t = file.tensor(info.name());
                long n = t.elementCount();
                if (n > 0) {
                    t.getFloat(0);
                    t.getFloat(n - 1);
                }
            }
        } catch (CheckpointException expected) {
            // The documented way to refuse a bad file.
        }
    }
}
