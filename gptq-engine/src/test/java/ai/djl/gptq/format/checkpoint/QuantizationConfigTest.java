package ai.djl.gptq.format.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.gptq.format.CheckpointException;
import ai.djl.gptq.format.InvalidConfigException;
import ai.djl.gptq.format.UnsupportedCheckpointException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuantizationConfigTest {

    private static final String Q_PROJ = "model.layers.0.self_attn.q_proj";
    private static final String DOWN_PROJ = "model.layers.0.mlp.down_proj";

    @TempDir
    Path dir;

    /** Reads {@code quantization_config} (or no quantization when {@code section} is null) from a config.json. */
    private QuantizationConfig read(String section) throws IOException {
        String member = section == null ? "" : ", \"quantization_config\": " + section;
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"llama\"" + member + "}");
        return QuantizationConfigReader.read(ConfigJson.read(dir.resolve("config.json")), dir);
    }

    private <T extends CheckpointException> T refused(Class<T> type, String section, String key) {
        T e = assertThrows(type, () -> read(section));
        Path file = dir.resolve("config.json");
        assertEquals(file, e.file());
        assertEquals(key, e.item());
        assertTrue(e.getMessage().contains(file + ": '" + key + "'"), e.getMessage());
        return e;
    }

    @Test
    void withoutSettingsEveryModuleIsDense() throws IOException {
        QuantizationConfig q = read(null);
        assertSame(QuantizationConfig.none(), q);
        assertEquals(QuantMethod.NONE, q.method());
        assertNull(q.source());
        assertNull(q.forModule(Q_PROJ));
        assertFalse(q.defaults().isQuantized());
    }

    @Test
    void gptqDefaultsFollowTransformers() throws IOException {
        QuantizationConfig q = read("{\"quant_method\": \"gptq\", \"bits\": 4}");
        assertEquals(QuantMethod.GPTQ, q.method());
        assertEquals(dir.resolve("config.json"), q.source());
        assertEquals(new LayerQuantization(QuantMethod.GPTQ, CheckpointFormat.GPTQ_V1, 4, 128, false, true, true),
                q.defaults());
        assertEquals("int32", q.packDtype());
        assertFalse(q.lmHeadQuantized());
        assertEquals(List.of(), q.modulesToNotConvert());
        assertSame(q.defaults(), q.forModule(Q_PROJ));
        assertNull(q.forModule("lm_head"), "lm_head stays dense unless lm_head is true");
    }

    @Test
    void gptqReadsEveryField() throws IOException {
        QuantizationConfig q = read("{\"quant_method\": \"GPTQ\", \"bits\": 3, \"group_size\": -1, \"desc_act\": true,"
                + " \"sym\": false, \"checkpoint_format\": \"gptq_v2\", \"lm_head\": true, \"pack_dtype\": \"int32\"}");
        assertEquals(new LayerQuantization(QuantMethod.GPTQ, CheckpointFormat.GPTQ_V2, 3, -1, true, false, true),
                q.defaults());
        assertTrue(q.lmHeadQuantized());
        assertSame(q.defaults(), q.forModule("lm_head"));
    }

    @Test
    void gptqAcceptsTheFormatKeyOfTransformers5() throws IOException {
        assertEquals(CheckpointFormat.GPTQ_V2,
                read("{\"quant_method\": \"gptq\", \"bits\": 4, \"format\": \"gptq_v2\"}").defaults().format());
        assertEquals(CheckpointFormat.GPTQ_V1, read("{\"quant_method\": \"gptq\", \"bits\": 4, \"format\": \"gptq\","
                + " \"checkpoint_format\": \"gptq\"}").defaults().format());
        InvalidConfigException e = refused(InvalidConfigException.class, "{\"quant_method\": \"gptq\", \"bits\": 4,"
                + " \"format\": \"gptq_v2\", \"checkpoint_format\": \"gptq\"}", "quantization_config.format");
        assertTrue(e.problem().contains("contradicts"), e.getMessage());
    }

    @Test
    void dynamicRulesOverrideOrExcludeModules() throws IOException {
        QuantizationConfig q = read("""
                {"quant_method": "gptq", "bits": 4, "group_size": 128, "sym": true, "lm_head": true,
                 "dynamic": {
                   "-:.*\\\\.1\\\\.mlp\\\\..*": {},
                   "+:.*\\\\.1\\\\..*": {"bits": 8, "group_size": 32},
                   ".*down_proj": {"desc_act": true, "sym": false},
                   "-:lm_head": {}
                 }}
                """);
        assertNull(q.forModule("model.layers.1.mlp.gate_proj"), "excluded by the first rule");
        assertEquals(new LayerQuantization(QuantMethod.GPTQ, CheckpointFormat.GPTQ_V1, 8, 32, false, true, true),
                q.forModule("model.layers.1.self_attn.k_proj"));
        assertEquals(new LayerQuantization(QuantMethod.GPTQ, CheckpointFormat.GPTQ_V1, 4, 128, true, false, true),
                q.forModule(DOWN_PROJ), "a bare key overrides like +:");
        assertSame(q.defaults(), q.forModule(Q_PROJ));
        assertNull(q.forModule("lm_head"), "the -: rule wins over lm_head: true");
        assertTrue(q.toString().contains("dynamic -:lm_head -> dense"), q.toString());
    }

    @Test
    void dynamicPatternsMatchFromTheStartOfTheName() throws IOException {
        QuantizationConfig q = read("{\"quant_method\": \"gptq\", \"bits\": 4, \"dynamic\": {\"-:layers\": {}}}");
        assertSame(q.defaults(), q.forModule(Q_PROJ), "Python's re.match anchors at the start only");
        q = read("{\"quant_method\": \"gptq\", \"bits\": 4, \"dynamic\": {\"-:model\\\\.layers\\\\.0\\\\.\": {}}}");
        assertNull(q.forModule(Q_PROJ));
        assertSame(q.defaults(), q.forModule("model.layers.10.self_attn.q_proj"));
    }

    @Test
    void refusesInvalidDynamicRules() {
        InvalidConfigException e = refused(InvalidConfigException.class,
                "{\"quant_method\": \"gptq\", \"bits\": 4, \"dynamic\": {\"+:model.(\": {}}}",
                "quantization_config.dynamic.+:model.(");
        assertTrue(e.problem().contains("regular expression"), e.getMessage());
        refused(UnsupportedCheckpointException.class,
                "{\"quant_method\": \"gptq\", \"bits\": 4, \"dynamic\": {\"+:.*\": {\"bits\": 6}}}",
                "quantization_config.dynamic.+:.*.bits");
        refused(InvalidConfigException.class,
                "{\"quant_method\": \"gptq\", \"bits\": 4, \"dynamic\": {\"+:.*\": 8}}",
                "quantization_config.dynamic.+:.*");
    }

    @Test
    void modulesToNotConvertMatchAsSubstrings() throws IOException {
        QuantizationConfig q = read("{\"quant_method\": \"awq\", \"bits\": 4, \"group_size\": 64, \"zero_point\": true,"
                + " \"version\": \"gemm\", \"modules_to_not_convert\": [\"mlp.gate\", \"layers.3.\"]}");
        assertEquals(List.of("mlp.gate", "layers.3."), q.modulesToNotConvert());
        assertNull(q.forModule("model.layers.0.mlp.gate_proj"));
        assertNull(q.forModule("model.layers.3.self_attn.o_proj"));
        assertSame(q.defaults(), q.forModule(DOWN_PROJ));
        assertNull(q.forModule("lm_head"), "AWQ never quantizes lm_head");
    }

    @Test
    void awqReadsEveryField() throws IOException {
        QuantizationConfig q = read("{\"quant_method\": \"awq\", \"bits\": 4, \"group_size\": 64, \"zero_point\": false,"
                + " \"version\": \"GEMV\", \"modules_to_not_convert\": null}");
        assertEquals(QuantMethod.AWQ, q.method());
        assertEquals(new LayerQuantization(QuantMethod.AWQ, CheckpointFormat.AWQ_GEMV, 4, 64, false, true, false),
                q.defaults());
        assertEquals(List.of(), q.modulesToNotConvert());
        assertEquals(CheckpointFormat.AWQ_GEMM,
                read("{\"quant_method\": \"awq\", \"bits\": 4, \"version\": \"GEMM\"}").defaults().format());
    }

    @Test
    void awqAcceptsAutoAwqKeyNames() throws IOException {
        QuantizationConfig q = read("{\"quant_method\": \"awq\", \"w_bit\": 4, \"q_group_size\": 32, \"version\": \"gemm\"}");
        assertEquals(32, q.defaults().groupSize());
        assertEquals(4, q.defaults().bits());
    }

    @Test
    void refusesUnsupportedSettingsSayingWhatIsSupported() {
        UnsupportedCheckpointException e = refused(UnsupportedCheckpointException.class,
                "{\"quant_method\": \"gptq\", \"bits\": 5}", "quantization_config.bits");
        assertTrue(e.problem().contains("bits 5") && e.problem().contains("supported: 2, 3, 4, 8"), e.getMessage());
        e = refused(UnsupportedCheckpointException.class, "{\"quant_method\": \"bitsandbytes\", \"bits\": 4}",
                "quantization_config.quant_method");
        assertTrue(e.problem().contains("supported: gptq, awq"), e.getMessage());
        e = refused(UnsupportedCheckpointException.class,
                "{\"quant_method\": \"gptq\", \"bits\": 4, \"checkpoint_format\": \"marlin\"}",
                "quantization_config.checkpoint_format");
        assertTrue(e.problem().contains("supported: gptq, gptq_v2"), e.getMessage());
        e = refused(UnsupportedCheckpointException.class,
                "{\"quant_method\": \"gptq\", \"bits\": 4, \"pack_dtype\": \"int16\"}", "quantization_config.pack_dtype");
        assertTrue(e.problem().contains("supported: int32"), e.getMessage());
        e = refused(UnsupportedCheckpointException.class, "{\"quant_method\": \"awq\", \"bits\": 8}",
                "quantization_config.bits");
        assertTrue(e.problem().contains("supported: 4"), e.getMessage());
        e = refused(UnsupportedCheckpointException.class,
                "{\"quant_method\": \"awq\", \"bits\": 4, \"version\": \"exllama\"}", "quantization_config.version");
        assertTrue(e.problem().contains("supported: gemm, gemv"), e.getMessage());
    }

    @Test
    void refusesInvalidSettings() {
        refused(InvalidConfigException.class, "{\"bits\": 4}", "quantization_config.quant_method");
        refused(InvalidConfigException.class, "{\"quant_method\": \"gptq\"}", "quantization_config.bits");
        refused(InvalidConfigException.class, "{\"quant_method\": \"gptq\", \"bits\": 4, \"group_size\": 0}",
                "quantization_config.group_size");
        refused(InvalidConfigException.class, "{\"quant_method\": \"gptq\", \"bits\": 4, \"desc_act\": 1}",
                "quantization_config.desc_act");
        refused(InvalidConfigException.class, "{\"quant_method\": \"awq\", \"bits\": 4, \"group_size\": -2}",
                "quantization_config.group_size");
        refused(InvalidConfigException.class,
                "{\"quant_method\": \"awq\", \"bits\": 4, \"modules_to_not_convert\": \"lm_head\"}",
                "quantization_config.modules_to_not_convert");
        refused(InvalidConfigException.class, "[4]", "quantization_config");
    }

    @Test
    void legacyQuantizeConfigIsGptq() throws IOException {
        Path legacy = dir.resolve("quantize_config.json");
        Files.writeString(legacy, "{\"bits\": 8, \"group_size\": 32, \"desc_act\": true, \"sym\": false,"
                + " \"model_file_base_name\": \"gptq_model-8bit-32g\"}");
        QuantizationConfig q = read(null);
        assertEquals(QuantMethod.GPTQ, q.method());
        assertEquals(legacy, q.source());
        assertEquals(new LayerQuantization(QuantMethod.GPTQ, CheckpointFormat.GPTQ_V1, 8, 32, true, false, true),
                q.defaults());
        assertEquals("gptq_model-8bit-32g", q.modelFileBaseName());

        Files.writeString(legacy, "{\"bits\": 5}");
        UnsupportedCheckpointException e = assertThrows(UnsupportedCheckpointException.class, () -> read(null));
        assertEquals(legacy, e.file());
        assertEquals("bits", e.item());
    }

    @Test
    void configJsonWinsOverLegacyFile() throws IOException {
        Files.writeString(dir.resolve("quantize_config.json"), "{\"bits\": 8}");
        assertEquals(4, read("{\"quant_method\": \"gptq\", \"bits\": 4}").defaults().bits());
    }
}
