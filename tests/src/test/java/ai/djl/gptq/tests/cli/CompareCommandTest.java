package ai.djl.gptq.tests.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code compare}: GPTQ against PyTorch on a fixture, one line per hidden state, then the logits and the verdict. */
class CompareCommandTest {

    private static final Path QWEN = Path.of("src/test/resources/fixtures/models/qwen2-gptq-int4");

    @Test
    void printsOneLinePerLayerAndFindsNoPartingInFp32() {
        CliRun r = CliRun.withInput("", "compare", "--model", QWEN.toString(), "--prompt", "def fibonacci(n):");
        assertEquals(0, r.exitCode(), r.err());
        List<String> lines = r.out().strip().lines().toList();
        // A header, the embeddings, the fixture's 6 layers, the logits and the verdict.
        assertEquals(10, lines.size(), r.out());
        assertTrue(lines.get(1).startsWith("embeddings"), r.out());
        for (int layer = 0; layer < 6; layer++) {
            String line = lines.get(2 + layer);
            assertTrue(line.startsWith("layer " + layer + " "), r.out());
            double error = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            assertTrue(error < 1e-3, line);
        }
        assertTrue(lines.get(8).startsWith("logits"), r.out());
        assertEquals("first parting: none", lines.get(9), r.out());
    }

    @Test
    void aZeroThresholdReportsTheFirstLayerAbove() {
        CliRun r = CliRun.withInput("", "compare", "--model", QWEN.toString(), "--ids", "1,2,3", "--threshold", "0");
        assertEquals(0, r.exitCode(), r.err());
        String verdict = r.out().strip().lines().reduce((a, b) -> b).orElseThrow();
        assertTrue(verdict.startsWith("first parting: ") && !verdict.endsWith("none"), r.out());
    }
}
