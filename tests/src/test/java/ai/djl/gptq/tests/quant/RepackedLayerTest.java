package ai.djl.gptq.tests.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.gptq.format.checkpoint.CheckpointFormat;
import ai.djl.gptq.format.checkpoint.LayerQuantization;
import ai.djl.gptq.format.checkpoint.QuantMethod;
import ai.djl.gptq.format.safetensors.DType;
import ai.djl.gptq.format.safetensors.SafetensorsFile;
import ai.djl.gptq.format.safetensors.SafetensorsWriter;
import ai.djl.gptq.format.safetensors.ShardedSafetensors;
import ai.djl.gptq.format.safetensors.Tensor;
import ai.djl.gptq.format.safetensors.TensorSource;
import ai.djl.gptq.quant.QuantizedLinear;
import ai.djl.gptq.quant.QuantizedLinearReader;
import ai.djl.gptq.quant.ReferenceDequantizer;
import ai.djl.gptq.quant.ReferenceMatmul;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Layouts the fixtures lack, written by this test from a fixture layer's integers (re-quantized to the target
 * bit width) and read back: the reader's dequantized weight must equal, bit for bit, the test's own
 * {@code (q - z) * s} computed from the integers it packed.
 */
class RepackedLayerTest {

    static final Path SOURCE_FILE =
            Path.of("src/test/resources/fixtures/models/llama-gptq-int4-actorder/gptq_model-4bit-128g.safetensors");
    static final String MODULE = "model.layers.0.self_attn.q_proj";
    static final int K = 384;
    static final int N = 384;

    /** The fixture's act-order layer: 4 bits, group 128, asymmetric zeros, an arbitrary g_idx. */
    static LayerFields source;

    @TempDir
    Path dir;

    @BeforeAll
    static void readSource() {
        try (SafetensorsFile file = SafetensorsFile.open(SOURCE_FILE)) {
            source = LayerFields.fromGptqV1Int4(file, MODULE, K, N, 128);
        }
    }

    @ParameterizedTest(name = "{0} bits, {1}, g_idx act-order")
    @CsvSource({"2, GPTQ_V1", "3, GPTQ_V1", "4, GPTQ_V1", "8, GPTQ_V1", "2, GPTQ_V2", "3, GPTQ_V2", "4, GPTQ_V2", "8, GPTQ_V2"})
    void gptqActOrder(int bits, CheckpointFormat format) throws IOException {
        boolean v2 = format == CheckpointFormat.GPTQ_V2;
        LayerFields f = source.requantize(bits, v2 ? 0 : 1);
        QuantizedLinear w = roundTrip(f, gptq(format, bits, 128, true), out -> LayerFiles.gptq(out, MODULE, f, v2, DType.F16, true));
        assertNotNull(w.groupIndex());
    }

    @ParameterizedTest(name = "{0} bits, group {1}, {2}")
    @CsvSource({"2, 128, GPTQ_V1", "3, 64, GPTQ_V2", "8, 32, GPTQ_V1", "4, 32, GPTQ_V2"})
    void gptqContiguousGroupsWithoutGroupIndex(int bits, int groupSize, CheckpointFormat format) throws IOException {
        boolean v2 = format == CheckpointFormat.GPTQ_V2;
        LayerFields f = source.requantize(bits, v2 ? 0 : 1).regroup(groupSize, K / groupSize, null);
        QuantizedLinear w = roundTrip(f, gptq(format, bits, groupSize, false), out -> LayerFiles.gptq(out, MODULE, f, v2, DType.F16, false));
        assertNull(w.groupIndex());
        assertEquals(K / groupSize, w.numGroups());
    }

    @Test
    void contiguousGroupIndexIsRecognised() throws IOException {
        LayerFields f = source.requantize(4, 1).regroup(128, 3, null);
        QuantizedLinear w = roundTrip(f, gptq(CheckpointFormat.GPTQ_V1, 4, 128, false), out -> LayerFiles.gptq(out, MODULE, f, false, DType.F16, true));
        assertNull(w.groupIndex(), "a g_idx equal to k / group_size needs no lookup");
    }

    @Test
    void oneGroupWithDescAct() throws IOException {
        LayerFields f = source.requantize(4, 1).regroup(K, 1, new int[K]);
        QuantizedLinear w = roundTrip(f, gptq(CheckpointFormat.GPTQ_V1, 4, -1, true), out -> LayerFiles.gptq(out, MODULE, f, false, DType.F16, true));
        assertEquals(1, w.numGroups());
        assertEquals(K, w.groupSize());
    }

    @ParameterizedTest(name = "{0} bits")
    @CsvSource({"3", "4"})
    void shuffledGroupIndex(int bits) throws IOException {
        List<Integer> groups = new ArrayList<>();
        for (int k = 0; k < K; k++) {
            groups.add(k / 32);
        }
        Collections.shuffle(groups, new Random(bits));
        int[] gIdx = groups.stream().mapToInt(Integer::intValue).toArray();
        LayerFields f = source.requantize(bits, 1).regroup(32, K / 32, gIdx);
        QuantizedLinear w = roundTrip(f, gptq(CheckpointFormat.GPTQ_V1, bits, 32, true), out -> LayerFiles.gptq(out, MODULE, f, false, DType.F16, true));
        assertArrayEquals(gIdx, w.groupIndex());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"BF16", "F32", "F16"})
    void scaleAndBiasTypes(DType type) throws IOException {
        LayerFields withBias = source.requantize(4, 1).withBias(biasFromScales());
        LayerFields f = type == DType.BF16 ? withBias.bf16Exact() : withBias;
        QuantizedLinear w = roundTrip(f, gptq(CheckpointFormat.GPTQ_V1, 4, 128, true), out -> LayerFiles.gptq(out, MODULE, f, false, type, true));
        assertArrayEquals(f.bias(), w.bias());
    }

    @ParameterizedTest(name = "group {0}, {1}")
    @CsvSource({"128, F16", "32, BF16", "-1, F16"})
    void awqGemm(int groupSize, DType type) throws IOException {
        int size = groupSize == -1 ? K : groupSize;
        LayerFields regrouped = source.requantize(4, 0).regroup(size, K / size, null).withBias(biasFromScales());
        LayerFields f = type == DType.BF16 ? regrouped.bf16Exact() : regrouped;
        LayerQuantization q = new LayerQuantization(QuantMethod.AWQ, CheckpointFormat.AWQ_GEMM, 4, groupSize, false, false, true);
        roundTrip(f, q, out -> LayerFiles.awqGemm(out, MODULE, f, type));
    }

    @ParameterizedTest(name = "group {0}")
    @CsvSource({"128", "64", "32"})
    void awqGemv(int groupSize) throws IOException {
        LayerFields f = source.requantize(4, 0).regroup(groupSize, K / groupSize, null);
        LayerQuantization q = new LayerQuantization(QuantMethod.AWQ, CheckpointFormat.AWQ_GEMV, 4, groupSize, false, false, true);
        roundTrip(f, q, out -> LayerFiles.awqGemv(out, MODULE, f, DType.F16));
    }

    @Test
    void gemvZeroWidthIsPadded() {
        assertEquals(1, LayerFiles.zerosWidth(384, 128));
        assertEquals(2, LayerFiles.zerosWidth(384, 64));
        assertEquals(4, LayerFiles.zerosWidth(384, 32));
        assertEquals(2, LayerFiles.zerosWidth(2048, 128));
    }

    @Test
    void sharded() throws IOException {
        LayerFields f = source.requantize(3, 1).withBias(biasFromScales());
        Path single = dir.resolve("single.safetensors");
        SafetensorsWriter writer = new SafetensorsWriter();
        LayerFiles.gptq(writer, MODULE, f, false, DType.F16, true);
        writer.write(single);
        SafetensorsWriter first = new SafetensorsWriter().metadata("format", "pt");
        SafetensorsWriter second = new SafetensorsWriter().metadata("format", "pt");
        StringBuilder weightMap = new StringBuilder();
        long totalSize = 0;
        try (SafetensorsFile file = SafetensorsFile.open(single)) {
            for (String name : file.names()) {
                Tensor t = file.tensor(name);
                boolean inFirst = name.endsWith(".qweight") || name.endsWith(".g_idx");
                (inFirst ? first : second).add(name, t.dtype(), t.shape(), t.data().toArray(ValueLayout.JAVA_BYTE));
                weightMap.append(weightMap.isEmpty() ? "" : ",\n").append("    \"").append(name).append("\": \"")
                        .append(inFirst ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors").append('"');
                totalSize += t.data().byteSize();
            }
        }
        first.write(dir.resolve("model-00001-of-00002.safetensors"));
        second.write(dir.resolve("model-00002-of-00002.safetensors"));
        Path index = dir.resolve("model.safetensors.index.json");
        Files.writeString(index, "{\n  \"metadata\": {\"total_size\": " + totalSize + "},\n  \"weight_map\": {\n"
                + weightMap + "\n  }\n}\n");
        try (ShardedSafetensors weights = ShardedSafetensors.open(index)) {
            assertEquals(2, weights.files().size());
            QuantizedLinear w = QuantizedLinearReader.read(weights, MODULE, gptq(CheckpointFormat.GPTQ_V1, 3, 128, true), K, N);
            assertExact(f, w);
        }
    }

    static LayerQuantization gptq(CheckpointFormat format, int bits, int groupSize, boolean descAct) {
        return new LayerQuantization(QuantMethod.GPTQ, format, bits, groupSize, descAct, false, true);
    }

    /**
     * A bias of the layer's own magnitude, so that a missing or misplaced bias shows in the matmul check; scales
     * times small powers of two stay exact in fp16 and bf16, so writing it loses nothing.
     */
    static float[] biasFromScales() {
        float[] bias = new float[N];
        for (int n = 0; n < N; n++) {
            bias[n] = source.scales()[0][n] * (n % 5 - 2);
        }
        return bias;
    }

    private QuantizedLinear roundTrip(LayerFields f, LayerQuantization q, Consumer<SafetensorsWriter> write) throws IOException {
        Path file = dir.resolve("layer.safetensors");
        SafetensorsWriter writer = new SafetensorsWriter().metadata("format", "pt");
        write.accept(writer);
        writer.write(file);
        try (TensorSource weights = SafetensorsFile.open(file)) {
            QuantizedLinear w = QuantizedLinearReader.read(weights, MODULE, q, K, N);
            assertExact(f, w);
            return w;
        } finally {
            Files.delete(file);
        }
    }

    /** Dequantized weights equal bit for bit; the reference matmul agrees with a plain product of them. */
    static void assertExact(LayerFields f, QuantizedLinear w) {
        assertEquals(f.bits(), w.bits());
        assertEquals(K, w.inFeatures());
        assertEquals(N, w.outFeatures());
        float[] expected = f.dequantize();
        assertArrayEquals(expected, ReferenceDequantizer.dequantize(w));

        int rows = 2;
        Random random = new Random(7);
        float[] x = new float[rows * K];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        float[] y = ReferenceMatmul.matmul(x, rows, w);
        double diff = 0;
        double norm = 0;
        for (int r = 0; r < rows; r++) {
            for (int n = 0; n < N; n++) {
                double sum = f.bias() == null ? 0 : f.bias()[n];
                for (int k = 0; k < K; k++) {
                    sum += (double) x[r * K + k] * expected[k * N + n];
                }
                diff += (y[r * N + n] - sum) * (y[r * N + n] - sum);
                norm += sum * sum;
            }
        }
        assertTrue(Math.sqrt(diff / norm) < 1e-6, "reference matmul relative error " + Math.sqrt(diff / norm));
    }
}
