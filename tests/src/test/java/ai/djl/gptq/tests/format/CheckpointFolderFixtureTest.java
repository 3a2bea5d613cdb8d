package ai.djl.gptq.tests.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.gptq.format.checkpoint.CheckpointFolder;
import ai.djl.gptq.format.checkpoint.CheckpointFormat;
import ai.djl.gptq.format.checkpoint.CheckpointInspector;
import ai.djl.gptq.format.checkpoint.LayerQuantization;
import ai.djl.gptq.format.checkpoint.ModelConfig;
import ai.djl.gptq.format.checkpoint.QuantMethod;
import ai.djl.gptq.format.checkpoint.QuantizationConfig;
import ai.djl.gptq.format.safetensors.DType;
import ai.djl.gptq.format.safetensors.TensorSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Reads the configs and finds the weights of all six fixture checkpoints; expectations from fixtures/README.md. */
class CheckpointFolderFixtureTest {

    private static final Path MODELS = Path.of("src/test/resources/fixtures/models");
    private static final List<String> PROJECTIONS = List.of(
            "self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
            "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj");

    /** What the fixture README and the fixtures' headers say about one variant. */
    record Fixture(
            String name,
            String architecture,
            QuantMethod method,
            int bits,
            int groupSize,
            boolean descAct,
            boolean sym,
            CheckpointFormat format,
            String weightFile,
            String quantizationSource,
            int tensors) {

        boolean qwen2() {
            return architecture.equals("Qwen2ForCausalLM");
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Fixture> fixtures() {
        return Stream.of(
                new Fixture("llama-gptq-int4", "LlamaForCausalLM", QuantMethod.GPTQ, 4, 128, false, true,
                        CheckpointFormat.GPTQ_V1, "model.safetensors", "config.json", 183),
                new Fixture("llama-gptq-int4-actorder", "LlamaForCausalLM", QuantMethod.GPTQ, 4, 128, true, false,
                        CheckpointFormat.GPTQ_V1, "gptq_model-4bit-128g.safetensors", "quantize_config.json", 183),
                new Fixture("qwen2-gptq-int4", "Qwen2ForCausalLM", QuantMethod.GPTQ, 4, 128, false, true,
                        CheckpointFormat.GPTQ_V1, "model.safetensors", "config.json", 200),
                new Fixture("qwen2-gptq-int8", "Qwen2ForCausalLM", QuantMethod.GPTQ, 8, 32, false, true,
                        CheckpointFormat.GPTQ_V1, "model.safetensors", "config.json", 200),
                // AWQ with zero points is asymmetric.
                new Fixture("llama-awq-int4", "LlamaForCausalLM", QuantMethod.AWQ, 4, 128, false, false,
                        CheckpointFormat.AWQ_GEMM, "model.safetensors", "config.json", 141),
                new Fixture("qwen2-awq-int4", "Qwen2ForCausalLM", QuantMethod.AWQ, 4, 128, false, false,
                        CheckpointFormat.AWQ_GEMM, "model.safetensors", "config.json", 158));
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void readsTheModelConfig(Fixture f) {
        Path dir = MODELS.resolve(f.name());
        ModelConfig c = CheckpointFolder.open(dir).config();
        assertEquals(f.architecture(), c.architecture());
        assertEquals(f.qwen2() ? "qwen2" : "llama", c.modelType());
        assertEquals(384, c.hiddenSize());
        assertEquals(1024, c.intermediateSize());
        assertEquals(6, c.numLayers());
        assertEquals(6, c.numHeads());
        assertEquals(2, c.numKvHeads());
        assertEquals(64, c.headDim());
        assertEquals(4096, c.vocabSize());
        assertEquals(1024, c.maxPositionEmbeddings());
        assertEquals(f.qwen2() ? 1e-6 : 1e-5, c.rmsNormEps());
        assertEquals(f.qwen2() ? 1e6 : 1e4, c.ropeTheta());
        assertNull(c.ropeScaling());
        assertEquals(f.qwen2(), c.tieWordEmbeddings());
        assertEquals(f.qwen2(), c.attentionBias());
        assertEquals(0, c.slidingWindow());
        assertEquals(DType.F16, c.dtype());
        assertEquals("silu", c.hiddenAct());
        assertEquals(0, c.bosTokenId());
        assertArrayEquals(new int[] {0}, c.eosTokenIds());
        assertEquals(dir.resolve("config.json"), c.file());
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void readsTheQuantizationSettings(Fixture f) {
        Path dir = MODELS.resolve(f.name());
        QuantizationConfig q = CheckpointFolder.open(dir).quantization();
        assertEquals(f.method(), q.method());
        assertEquals(dir.resolve(f.quantizationSource()), q.source());
        LayerQuantization d = q.defaults();
        assertEquals(f.method(), d.method());
        assertEquals(f.format(), d.format());
        assertEquals(f.bits(), d.bits());
        assertEquals(f.groupSize(), d.groupSize());
        assertEquals(f.descAct(), d.descAct());
        assertEquals(f.sym(), d.sym());
        assertTrue(d.zeroPoint());
        assertFalse(q.lmHeadQuantized());
        assertEquals("int32", q.packDtype());
        assertEquals(List.of(), q.modulesToNotConvert());
        assertNull(q.forModule("lm_head"));
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void quantizedTensorsAreExactlyTheSevenProjectionsOfEachLayer(Fixture f) {
        CheckpointFolder folder = CheckpointFolder.open(MODELS.resolve(f.name()));
        Set<String> expected = new TreeSet<>();
        for (int layer = 0; layer < folder.config().numLayers(); layer++) {
            for (String projection : PROJECTIONS) {
                expected.add("model.layers." + layer + "." + projection);
            }
        }
        assertEquals(42, expected.size());
        Set<String> found = new TreeSet<>();
        try (TensorSource weights = folder.openWeights()) {
            assertEquals(f.tensors(), weights.names().size());
            for (String name : weights.names()) {
                if (name.endsWith(".qweight")) {
                    found.add(name.substring(0, name.length() - ".qweight".length()));
                }
            }
            assertEquals(f.qwen2(), weights.contains("model.layers.0.self_attn.q_proj.bias"));
            assertEquals(!f.qwen2(), weights.contains("lm_head.weight"), "only the untied models store lm_head");
        }
        assertEquals(expected, found);
        for (String module : found) {
            assertSame(folder.quantization().defaults(), folder.quantization().forModule(module), module);
        }
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void findsTheFiles(Fixture f) throws IOException {
        Path dir = MODELS.resolve(f.name());
        CheckpointFolder folder = CheckpointFolder.open(dir);
        Path weights = dir.resolve(f.weightFile());
        assertEquals(List.of(weights), folder.weightFiles());
        assertEquals(Files.size(weights), folder.bytesOnDisk());
        assertEquals(dir.resolve("tokenizer.json"), folder.tokenizerJson().orElseThrow());
        assertEquals(dir.resolve("tokenizer_config.json"), folder.tokenizerConfigJson().orElseThrow());
        assertEquals(dir.resolve("generation_config.json"), folder.generationConfigJson().orElseThrow());
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void inspectorDescribesTheCheckpoint(Fixture f) throws IOException {
        CheckpointFolder folder = CheckpointFolder.open(MODELS.resolve(f.name()));
        String description = CheckpointInspector.describe(folder);
        List<String> lines = description.lines().toList();
        for (String line : List.of(
                "architecture: " + f.architecture() + " (" + (f.qwen2() ? "qwen2" : "llama") + ")",
                "layers: 6",
                "hidden size: 384",
                "quantization method: " + f.method(),
                "bits: " + f.bits(),
                "group size: " + f.groupSize(),
                "desc_act: " + f.descAct(),
                "sym: " + f.sym(),
                "format: " + f.format(),
                "quantized layers: 42",
                "tensors: " + f.tensors(),
                "bytes on disk: " + Files.size(folder.weightFiles().getFirst()))) {
            assertTrue(lines.contains(line), () -> "missing '" + line + "' in\n" + description);
        }
    }
}
