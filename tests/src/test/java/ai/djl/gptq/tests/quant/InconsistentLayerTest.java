package ai.djl.gptq.tests.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.gptq.format.CheckpointException;
import ai.djl.gptq.format.InconsistentWeightsException;
import ai.djl.gptq.format.UnsupportedCheckpointException;
import ai.djl.gptq.format.checkpoint.CheckpointFormat;
import ai.djl.gptq.format.checkpoint.LayerQuantization;
import ai.djl.gptq.format.checkpoint.QuantMethod;
import ai.djl.gptq.format.safetensors.DType;
import ai.djl.gptq.format.safetensors.SafetensorsFile;
import ai.djl.gptq.format.safetensors.SafetensorsWriter;
import ai.djl.gptq.format.safetensors.Tensor;
import ai.djl.gptq.quant.QuantizedLinearReader;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Layers whose tensors contradict each other or the layer's settings are refused, naming the file and tensor. */
class InconsistentLayerTest {

    private static final String MODULE = RepackedLayerTest.MODULE;
    private static final int K = RepackedLayerTest.K;
    private static final int N = RepackedLayerTest.N;
    private static final LayerQuantization GPTQ_4BIT = RepackedLayerTest.gptq(CheckpointFormat.GPTQ_V1, 4, 128, true);
    private static final LayerQuantization AWQ_GEMV =
            new LayerQuantization(QuantMethod.AWQ, CheckpointFormat.AWQ_GEMV, 4, 32, false, false, true);

    private static LayerFields layer;

    private int files;

    @TempDir
    Path dir;

    @BeforeAll
    static void readSource() {
        try (SafetensorsFile file = SafetensorsFile.open(RepackedLayerTest.SOURCE_FILE)) {
            layer = LayerFields.fromGptqV1Int4(file, MODULE, K, N, 128);
        }
    }

    @Test
    void qweightRowsDisagreeWithBits() {
        // 4-bit words read as 3-bit: 48 packed rows where 36 are expected.
        Path file = gptqFile(null, null);
        LayerQuantization threeBit = RepackedLayerTest.gptq(CheckpointFormat.GPTQ_V1, 3, 128, true);
        assertRefused(InconsistentWeightsException.class, file, MODULE + ".qweight", "shape", threeBit, K, N);
    }

    @Test
    void inFeaturesDisagreeWithConfig() {
        assertRefused(InconsistentWeightsException.class, gptqFile(null, null), MODULE + ".qweight", "[52, 384]", GPTQ_4BIT, K + 32, N);
    }

    @Test
    void inFeaturesNotPackable() {
        LayerQuantization threeBit = RepackedLayerTest.gptq(CheckpointFormat.GPTQ_V1, 3, 128, true);
        assertRefused(InconsistentWeightsException.class, gptqFile(null, null), MODULE + ".qweight", "multiple of 32", threeBit, 48, N);
    }

    @Test
    void qzerosWidthDisagreesWithBits() {
        Path file = gptqFile(MODULE + ".qzeros", w -> w.addInts(MODULE + ".qzeros", new long[] {3, 49}, new int[3 * 49]));
        assertRefused(InconsistentWeightsException.class, file, MODULE + ".qzeros", "[3, 48]", GPTQ_4BIT, K, N);
    }

    @Test
    void scalesGroupCountDisagrees() {
        Path file = gptqFile(MODULE + ".scales", w -> w.addFloats(MODULE + ".scales", DType.F16, new long[] {4, N}, new float[4 * N]));
        assertRefused(InconsistentWeightsException.class, file, MODULE + ".scales", "3 groups", GPTQ_4BIT, K, N);
    }

    @Test
    void scalesMustBeFloats() {
        Path file = gptqFile(MODULE + ".scales", w -> w.addInts(MODULE + ".scales", new long[] {3, N}, new int[3 * N]));
        assertRefused(InconsistentWeightsException.class, file, MODULE + ".scales", "F16, BF16 or F32", GPTQ_4BIT, K, N);
    }

    @Test
    void groupIndexBeyondGroups() {
        int[] gIdx = new int[K];
        gIdx[200] = 3;
        Path file = gptqFile(MODULE + ".g_idx", w -> w.addInts(MODULE + ".g_idx", new long[] {K}, gIdx));
        assertRefused(InconsistentWeightsException.class, file, MODULE + ".g_idx", "value 3 at row 200 is outside [0, 3)", GPTQ_4BIT, K, N);
    }

    @Test
    void negativeGroupIndex() {
        int[] gIdx = new int[K];
        gIdx[5] = -1;
        Path file = gptqFile(MODULE + ".g_idx", w -> w.addInts(MODULE + ".g_idx", new long[] {K}, gIdx));
        assertRefused(InconsistentWeightsException.class, file, MODULE + ".g_idx", "value -1 at row 5", GPTQ_4BIT, K, N);
    }

    @Test
    void groupIndexLength() {
        Path file = gptqFile(MODULE + ".g_idx", w -> w.addInts(MODULE + ".g_idx", new long[] {K - 1}, new int[K - 1]));
        assertRefused(InconsistentWeightsException.class, file, MODULE + ".g_idx", "[384]", GPTQ_4BIT, K, N);
    }

    @Test
    void actOrderWithoutGroupIndex() {
        Path file = gptqFile(MODULE + ".g_idx", null);
        assertRefused(InconsistentWeightsException.class, file, MODULE + ".g_idx", "", GPTQ_4BIT, K, N);
    }

    @Test
    void qweightPackedInInt64() {
        Path file = gptqFile(MODULE + ".qweight", w -> w.add(MODULE + ".qweight", DType.I64, new long[] {24, N}, new byte[24 * N * 8]));
        assertRefused(UnsupportedCheckpointException.class, file, MODULE + ".qweight", "int32", GPTQ_4BIT, K, N);
    }

    @Test
    void awqGroupSizeMustDivideK() {
        Path file = write(w -> LayerFiles.awqGemm(w, MODULE, layer.requantize(4, 0).regroup(128, 3, null), DType.F16));
        LayerQuantization q = new LayerQuantization(QuantMethod.AWQ, CheckpointFormat.AWQ_GEMM, 4, 100, false, false, true);
        assertRefused(InconsistentWeightsException.class, file, MODULE + ".qweight", "divide K", q, K, N);
    }

    @Test
    void awqGemvZerosTooNarrow() {
        // 12 groups need 2 words of zeros per output row.
        Path file = write(w -> {
            w.addInts(MODULE + ".qweight", new long[] {N, K / 8}, new int[N * K / 8]);
            w.addInts(MODULE + ".qzeros", new long[] {N, 1}, new int[N]);
            w.addFloats(MODULE + ".scales", DType.F16, new long[] {N, 8}, new float[N * 8]);
        });
        assertRefused(InconsistentWeightsException.class, file, MODULE + ".qzeros", "W >= 2", AWQ_GEMV, K, N);
    }

    @Test
    void awqGemvScalesDisagreeWithZeros() {
        Path file = write(w -> {
            w.addInts(MODULE + ".qweight", new long[] {N, K / 8}, new int[N * K / 8]);
            w.addInts(MODULE + ".qzeros", new long[] {N, 4}, new int[N * 4]);
            w.addFloats(MODULE + ".scales", DType.F16, new long[] {N, 16}, new float[N * 16]);
        });
        assertRefused(InconsistentWeightsException.class, file, MODULE + ".scales", "[384, 32]", AWQ_GEMV, K, N);
    }

    @Test
    void awqGemvFileReadAsGemm() {
        Path file = write(w -> LayerFiles.awqGemv(w, MODULE, layer.requantize(4, 0).regroup(128, 3, null), DType.F16));
        LayerQuantization q = new LayerQuantization(QuantMethod.AWQ, CheckpointFormat.AWQ_GEMM, 4, 128, false, false, true);
        assertRefused(InconsistentWeightsException.class, file, MODULE + ".qzeros", "[3, 48]", q, K, N);
    }

    private static void assertRefused(Class<? extends CheckpointException> type, Path file, String tensor, String problem,
            LayerQuantization q, int inFeatures, int outFeatures) {
        try (SafetensorsFile weights = SafetensorsFile.open(file)) {
            CheckpointException e = assertThrows(type, () -> QuantizedLinearReader.read(weights, MODULE, q, inFeatures, outFeatures));
            assertEquals(tensor, e.item(), e.getMessage());
            assertTrue(e.getMessage().contains(file.getFileName().toString()), e.getMessage());
            assertTrue(e.problem().contains(problem), e.getMessage());
        }
    }

    /** A valid act-order GPTQ layer with {@code replaced} left out and {@code forge} adding its stand-in. */
    private Path gptqFile(String replaced, Consumer<SafetensorsWriter> forge) {
        Path valid = write(w -> LayerFiles.gptq(w, MODULE, layer, false, DType.F16, true));
        if (replaced == null) {
            return valid;
        }
        return write(w -> {
            try (SafetensorsFile file = SafetensorsFile.open(valid)) {
                for (String name : file.names()) {
                    if (!name.equals(replaced)) {
                        Tensor t = file.tensor(name);
                        w.add(name, t.dtype(), t.shape(), t.data().toArray(ValueLayout.JAVA_BYTE));
                    }
                }
            }
            if (forge != null) {
                forge.accept(w);
            }
        });
    }

    private Path write(Consumer<SafetensorsWriter> content) {
        SafetensorsWriter writer = new SafetensorsWriter();
        content.accept(writer);
        Path file = dir.resolve("layer-" + files++ + ".safetensors");
        writer.write(file);
        return file;
    }
}
