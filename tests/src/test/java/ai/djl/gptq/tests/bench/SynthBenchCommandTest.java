package ai.djl.gptq.tests.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.gptq.format.checkpoint.CheckpointFolder;
import ai.djl.gptq.model.ActivationPrecision;
import ai.djl.gptq.model.CausalLanguageModel;
import ai.djl.gptq.tests.cli.CliRun;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code synth} writes loadable real-shape checkpoints; {@code bench --json} reports every key. */
class SynthBenchCommandTest {

    private static void assertFiniteLogits(Path dir) {
        CheckpointFolder folder = CheckpointFolder.open(dir);
        assertEquals(896, folder.config().hiddenSize());
        assertEquals(151936, folder.config().vocabSize());
        try (CausalLanguageModel lm = CausalLanguageModel.load(dir, ActivationPrecision.FP16)) {
            float[] logits = lm.logits(new int[] {1, 17, 4095});
            assertEquals(3 * 151936, logits.length);
            float max = 0;
            for (float v : logits) {
                assertTrue(Float.isFinite(v), "non-finite logit");
                max = Math.max(max, Math.abs(v));
            }
            assertTrue(max > 0, "all logits zero");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gptq", "awq"})
    void synthLoadsAndBenchReportsEveryKey(String format, @TempDir Path dir) throws Exception {
        CliRun synth = CliRun.run("synth", "--config", "qwen2.5-0.5b", "--format", format, "--bits", "4", "--group-size", "128",
                "--layers", "1", "--out", dir.toString());
        assertEquals(0, synth.exitCode(), synth.err());
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json")) {
            assertTrue(Files.exists(dir.resolve(f)), f);
        }
        assertFiniteLogits(dir);

        CliRun bench = CliRun.run("bench", "--model", dir.toString(), "--prompt-tokens", "8", "--new-tokens", "4",
                "--repeats", "1", "--bandwidth-mb", "64", "--json");
        assertEquals(0, bench.exitCode(), bench.err());
        String[] lines = bench.out().strip().split("\\R");
        JsonObject json = JsonParser.parseString(lines[lines.length - 1]).getAsJsonObject();
        for (String key : List.of("prefill_tok_s", "decode_tok_s", "ttft_ms", "load_s", "peak_rss_mb", "bytes_per_token",
                "bandwidth_gb_s", "roofline_tok_s", "roofline_fraction")) {
            assertTrue(json.has(key), key + " missing: " + json);
            assertTrue(json.get(key).getAsDouble() > 0, key + " not positive: " + json);
        }
        assertEquals(dir.toString(), json.get("model").getAsString());
        assertEquals("gptq", json.get("engine").getAsString());
        assertTrue(json.get("peers").isJsonObject());
        // one layer of qwen2.5-0.5b: ~7.7 MB packed + 272 MB tied fp16 embeddings (the lm_head)
        long bytes = json.get("bytes_per_token").getAsLong();
        assertTrue(bytes > 272_000_000L && bytes < 285_000_000L, "bytes_per_token " + bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"--dense-fp16", "--desc-act"})
    void denseAndDescActVariantsLoad(String flag, @TempDir Path dir) {
        CliRun synth = CliRun.run("synth", "--config", "qwen2.5-0.5b", "--layers", "1", flag, "--out", dir.toString());
        assertEquals(0, synth.exitCode(), synth.err());
        assertFiniteLogits(dir);
    }

    /** The dense fp16 version holds the GPTQ weights dequantized (rounded to fp16): same logits within 1e-2 (fp32 activations). */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void denseFp16MatchesGptq(boolean descAct, @TempDir Path dir) {
        Path gptq = dir.resolve("gptq");
        Path dense = dir.resolve("dense");
        String act = descAct ? "--desc-act" : "--seed=1";
        assertEquals(0, CliRun.run("synth", "--config", "qwen2.5-0.5b", "--layers", "1", act, "--out", gptq.toString()).exitCode());
        assertEquals(0, CliRun.run("synth", "--config", "qwen2.5-0.5b", "--layers", "1", act, "--dense-fp16", "--out",
                dense.toString()).exitCode());
        int[] ids = {1, 2, 3, 4000};
        float[] a;
        float[] b;
        try (CausalLanguageModel lm = CausalLanguageModel.load(gptq, ActivationPrecision.FP32)) {
            a = lm.logits(ids);
        }
        try (CausalLanguageModel lm = CausalLanguageModel.load(dense, ActivationPrecision.FP32)) {
            b = lm.logits(ids);
        }
        float worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        assertTrue(worst < 1e-2f, "max |gptq - dense| " + worst);
    }
}
