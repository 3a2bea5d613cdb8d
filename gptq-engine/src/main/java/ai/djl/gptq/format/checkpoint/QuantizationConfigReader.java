package ai.djl.gptq.format.checkpoint;

import ai.djl.gptq.format.UnsupportedCheckpointException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads quantization settings the way transformers does: {@code quantization_config} in {@code config.json}
 * wins, a legacy AutoGPTQ {@code quantize_config.json} (which has no {@code quant_method}: it is GPTQ) comes
 * next, and without either the checkpoint is dense.
 */
final class QuantizationConfigReader {

    static final String LEGACY_FILE = "quantize_config.json";

    private static final List<Integer> GPTQ_BITS = List.of(2, 3, 4, 8);

    private QuantizationConfigReader() {}

    static QuantizationConfig read(ConfigJson config, Path folder) {
        ConfigJson section = config.section("quantization_config");
        if (section != null) {
            return parse(section, false);
        }
        Path legacy = folder.resolve(LEGACY_FILE);
        if (Files.exists(legacy)) {
            return parse(ConfigJson.read(legacy), true);
        }
        return QuantizationConfig.none();
    }

    private static QuantizationConfig parse(ConfigJson json, boolean legacy) {
        String method = json.string("quant_method", legacy ? "gptq" : null);
        if (method == null) {
            throw json.invalid("quant_method", "missing; supported: gptq, awq");
        }
        return switch (method.toLowerCase(Locale.ROOT)) {
            case "gptq" -> gptq(json);
            case "awq" -> awq(json);
            default -> throw unsupported(json, "quant_method", "quant_method " + method
                    + " is not supported; supported: gptq, awq");
        };
    }

    private static QuantizationConfig gptq(ConfigJson json) {
        CheckpointFormat format = gptqFormat(json);
        LayerQuantization defaults = gptqLayer(json, format, null);
        List<DynamicRule> rules = new ArrayList<>();
        for (Map.Entry<String, ConfigJson> e : json.sections("dynamic").entrySet()) {
            rules.add(dynamicRule(json, e.getKey(), e.getValue(), defaults));
        }
        return new QuantizationConfig(
                QuantMethod.GPTQ,
                json.file(),
                defaults,
                json.bool("lm_head", false),
                packDtype(json),
                modulesToNotConvert(json),
                rules,
                json.string("model_file_base_name", null));
    }

    /** The settings of {@code json}, each absent key taken from {@code base} (or transformers' default without one). */
    private static LayerQuantization gptqLayer(ConfigJson json, CheckpointFormat format, LayerQuantization base) {
        int bits;
        if (base == null) {
            bits = gptqBits(json, (int) json.requiredLong("bits", Integer.MIN_VALUE, Integer.MAX_VALUE));
        } else {
            bits = gptqBits(json, (int) json.longValue("bits", Integer.MIN_VALUE, Integer.MAX_VALUE, base.bits()));
        }
        return new LayerQuantization(
                QuantMethod.GPTQ,
                format,
                bits,
                groupSize(json, "group_size", base == null ? 128 : base.groupSize()),
                json.bool("desc_act", base != null && base.descAct()),
                json.bool("sym", base == null || base.sym()),
                true);
    }

    private static int gptqBits(ConfigJson json, int bits) {
        if (!GPTQ_BITS.contains(bits)) {
            throw unsupported(json, "bits", "bits " + bits + " is not supported for GPTQ; supported: 2, 3, 4, 8");
        }
        return bits;
    }

    private static CheckpointFormat gptqFormat(ConfigJson json) {
        // GPT-QModel and transformers 5.x write "format"; AutoGPTQ and transformers 4.x "checkpoint_format".
        String legacyName = json.string("checkpoint_format", null);
        String name = json.string("format", null);
        String key = "format";
        if (name == null) {
            name = legacyName == null ? "gptq" : legacyName;
            key = "checkpoint_format";
        } else if (legacyName != null && !legacyName.equalsIgnoreCase(name)) {
            throw json.invalid("format", "format " + name + " contradicts checkpoint_format " + legacyName);
        }
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "gptq" -> CheckpointFormat.GPTQ_V1;
            case "gptq_v2" -> CheckpointFormat.GPTQ_V2;
            default -> throw unsupported(json, key, "checkpoint format " + name
                    + " is not supported; supported: gptq, gptq_v2");
        };
    }

    private static DynamicRule dynamicRule(ConfigJson json, String key, ConfigJson overrides, LayerQuantization base) {
        boolean exclude = key.startsWith("-:");
        String regex = exclude || key.startsWith("+:") ? key.substring(2) : key;
        Pattern pattern;
        try {
            pattern = Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw json.invalid("dynamic." + key, "is not a valid regular expression: " + e.getDescription());
        }
        LayerQuantization quantization = exclude ? null : gptqLayer(overrides, base.format(), base);
        return new DynamicRule(key, pattern, quantization);
    }

    private static String packDtype(ConfigJson json) {
        String name = json.string("pack_dtype", "int32");
        String bare = name.startsWith("torch.") ? name.substring(6) : name;
        if (!bare.equals("int32")) {
            throw unsupported(json, "pack_dtype", "pack_dtype " + name + " is not supported; supported: int32");
        }
        return bare;
    }

    private static QuantizationConfig awq(ConfigJson json) {
        // AutoAWQ's own files say w_bit and q_group_size where transformers says bits and group_size.
        String bitsKey = json.has("bits") || !json.has("w_bit") ? "bits" : "w_bit";
        long bits = json.requiredLong(bitsKey, Integer.MIN_VALUE, Integer.MAX_VALUE);
        if (bits != 4) {
            throw unsupported(json, bitsKey, "bits " + bits + " is not supported for AWQ; supported: 4");
        }
        String groupKey = json.has("group_size") || !json.has("q_group_size") ? "group_size" : "q_group_size";
        int groupSize = groupSize(json, groupKey, 128);
        boolean zeroPoint = json.bool("zero_point", true);
        String version = json.string("version", "gemm");
        CheckpointFormat format = switch (version.toLowerCase(Locale.ROOT)) {
            case "gemm" -> CheckpointFormat.AWQ_GEMM;
            case "gemv" -> CheckpointFormat.AWQ_GEMV;
            default -> throw unsupported(json, "version", "AWQ version " + version
                    + " is not supported; supported: gemm, gemv");
        };
        LayerQuantization defaults =
                new LayerQuantization(QuantMethod.AWQ, format, 4, groupSize, false, !zeroPoint, zeroPoint);
        return new QuantizationConfig(
                QuantMethod.AWQ, json.file(), defaults, false, "int32", modulesToNotConvert(json), List.of(), null);
    }

    private static int groupSize(ConfigJson json, String key, int fallback) {
        int groupSize = (int) json.longValue(key, Integer.MIN_VALUE, Integer.MAX_VALUE, fallback);
        if (groupSize != -1 && groupSize < 1) {
            throw json.invalid(key, "group size " + groupSize + " must be -1 (one group) or positive");
        }
        return groupSize;
    }

    private static List<String> modulesToNotConvert(ConfigJson json) {
        List<String> names = json.stringList("modules_to_not_convert");
        return names == null ? List.of() : names;
    }

    private static UnsupportedCheckpointException unsupported(ConfigJson json, String key, String problem) {
        return new UnsupportedCheckpointException(json.file(), json.key(key), problem);
    }
}
