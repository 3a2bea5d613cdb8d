package ai.djl.gptq.tests.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.gptq.format.safetensors.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user runs it: exit codes, outputs and one-line errors. */
class CommandLineTest {

    private static final Path FIXTURES = Path.of("src/test/resources/fixtures");
    private static final Path QWEN = FIXTURES.resolve("models/qwen2-gptq-int4");
    private static final Path REFERENCE = FIXTURES.resolve("reference/qwen2-gptq-int4.safetensors");

    private static int[] referenceInts(String name) {
        try (SafetensorsFile f = SafetensorsFile.open(REFERENCE)) {
            return f.tensor(name).toIntArray();
        }
    }

    private static String csv(int[] ids) {
        return Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    @Test
    void logitsMatchTheReferenceInFp32(@TempDir Path dir) {
        Path out = dir.resolve("logits.safetensors");
        int[] ids = referenceInts("p0.input_ids");
        CliRun r = CliRun.run("logits", "--model", QWEN.toString(), "--ids", csv(ids), "--activations", "fp32", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        try (SafetensorsFile ours = SafetensorsFile.open(out); SafetensorsFile ref = SafetensorsFile.open(REFERENCE)) {
            assertArrayEquals(new long[] {ids.length, 4096}, ours.tensor("logits").shape());
            float[] a = ours.tensor("logits").toFloatArray();
            float[] b = ref.tensor("p0.logits").toFloatArray();
            double err = 0;
            double norm = 0;
            for (int i = 0; i < a.length; i++) {
                err += (a[i] - b[i]) * (double) (a[i] - b[i]);
                norm += b[i] * (double) b[i];
            }
            assertTrue(Math.sqrt(err / norm) <= 1e-4, "relative L2 " + Math.sqrt(err / norm));
        }
    }

    @Test
    void greedyIdsMatchTheReferenceUpToASmallMargin() {
        int[] prompt = referenceInts("p0.input_ids");
        int[] expected = referenceInts("p0.generated_ids");
        float[] margins;
        try (SafetensorsFile f = SafetensorsFile.open(REFERENCE)) {
            margins = f.tensor("p0.margins").toFloatArray();
        }
        CliRun r = CliRun.run("generate", "--model", QWEN.toString(), "--ids", csv(prompt), "--greedy", "--ignore-eos",
                "--max-new-tokens", "24", "--activations", "fp32", "--output-ids");
        assertEquals(0, r.exitCode(), r.err());
        String[] lines = r.out().strip().split("\n");
        String last = lines[lines.length - 1];
        int[] got = Arrays.stream(last.substring(1, last.length() - 1).split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
        assertEquals(24, got.length);
        for (int i = 0; i < got.length; i++) {
            assertEquals(expected[i], got[i], "token " + i);
            if (margins[i] < 0.01f) {
                break;
            }
        }
    }

    @Test
    void textPromptRunsTheBundledModelOffline() {
        CliRun r = CliRun.run("generate", "def fibonacci(n):", "--max-new-tokens", "8");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().startsWith("def fibonacci(n):"), r.out());
        assertTrue(r.out().length() > "def fibonacci(n):".length() + 2, r.out());
    }

    @Test
    void errorsAreOneLineNamingTheProblem(@TempDir Path dir) throws Exception {
        CliRun missing = CliRun.run("generate", "--model", dir.resolve("nope").toString(), "x");
        assertNotEquals(0, missing.exitCode());
        Files.writeString(dir.resolve("config.json"), "{not json");
        CliRun broken = CliRun.run("inspect", "--model", dir.toString());
        assertNotEquals(0, broken.exitCode());
        assertTrue(broken.err().contains("config.json"), broken.err());
        assertEquals(1, broken.err().strip().lines().count(), broken.err());
        CliRun badIds = CliRun.run("logits", "--model", QWEN.toString(), "--ids", "1,x", "--out", dir.resolve("o").toString());
        assertNotEquals(0, badIds.exitCode());
        assertTrue(badIds.err().contains("'x'"), badIds.err());
        CliRun outOfVocab = CliRun.run("generate", "--model", QWEN.toString(), "--ids", "5000", "--max-new-tokens", "2");
        assertNotEquals(0, outOfVocab.exitCode());
        assertTrue(outOfVocab.err().contains("5000"), outOfVocab.err());
        CliRun verbose = CliRun.run("inspect", "--model", dir.toString(), "--verbose");
        assertTrue(verbose.err().lines().count() > 1, "--verbose prints the stack trace");
    }

    @Test
    void inspectDescribesAFixture() {
        CliRun r = CliRun.run("inspect", "--model", QWEN.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("Qwen2ForCausalLM") && r.out().contains("GPTQ"), r.out());
    }
}
