package ai.djl.gptq.format.checkpoint;

import java.nio.file.Path;
import java.util.List;

/**
 * A checkpoint's quantization settings, from {@code quantization_config} in {@code config.json} or a legacy
 * AutoGPTQ {@code quantize_config.json}, and which modules they apply to: {@link #forModule} resolves
 * {@code modules_to_not_convert}, GPT-QModel's per-module {@code dynamic} rules and whether {@code lm_head}
 * is quantized.
 */
public final class QuantizationConfig {

    private static final QuantizationConfig NONE =
            new QuantizationConfig(QuantMethod.NONE, null, LayerQuantization.dense(), false, null, List.of(),
                    List.of(), null);

    private final QuantMethod method;
    private final Path source;
    private final LayerQuantization defaults;
    private final boolean lmHeadQuantized;
    private final String packDtype;
    private final List<String> modulesToNotConvert;
    private final List<DynamicRule> dynamic;
    private final String modelFileBaseName;

    QuantizationConfig(
            QuantMethod method,
            Path source,
            LayerQuantization defaults,
            boolean lmHeadQuantized,
            String packDtype,
            List<String> modulesToNotConvert,
            List<DynamicRule> dynamic,
            String modelFileBaseName) {
        this.method = method;
        this.source = source;
        this.defaults = defaults;
        this.lmHeadQuantized = lmHeadQuantized;
        this.packDtype = packDtype;
        this.modulesToNotConvert = List.copyOf(modulesToNotConvert);
        this.dynamic = List.copyOf(dynamic);
        this.modelFileBaseName = modelFileBaseName;
    }

    /** The settings of an unquantized checkpoint. */
    public static QuantizationConfig none() {
        return NONE;
    }

    public QuantMethod method() {
        return method;
    }

    /** The file the settings were read from, {@code null} for an unquantized checkpoint. */
    public Path source() {
        return source;
    }

    /** The settings of a quantized module that no per-module rule changes ({@link LayerQuantization#dense()} for an unquantized checkpoint). */
    public LayerQuantization defaults() {
        return defaults;
    }

    /**
     * The settings of the linear layer {@code moduleName} (e.g. {@code model.layers.0.self_attn.q_proj} or
     * {@code lm_head}), or {@code null} when that layer is stored dense.
     */
    public LayerQuantization forModule(String moduleName) {
        if (method == QuantMethod.NONE) {
            return null;
        }
        // transformers and vLLM match modules_to_not_convert entries as substrings of the module name.
        for (String skipped : modulesToNotConvert) {
            if (moduleName.contains(skipped)) {
                return null;
            }
        }
        if (isLmHead(moduleName) && !lmHeadQuantized) {
            return null;
        }
        for (DynamicRule rule : dynamic) {
            if (rule.matches(moduleName)) {
                return rule.quantization();
            }
        }
        return defaults;
    }

    /** Whether {@code lm_head} is quantized (GPT-QModel's {@code lm_head}; never for AWQ). */
    public boolean lmHeadQuantized() {
        return lmHeadQuantized;
    }

    /** The integer type the packed tensors use ({@code int32}, the only one supported), {@code null} when unquantized. */
    public String packDtype() {
        return packDtype;
    }

    /** Module name fragments that stay dense (AWQ's and transformers' {@code modules_to_not_convert}). */
    public List<String> modulesToNotConvert() {
        return modulesToNotConvert;
    }

    /** Legacy AutoGPTQ {@code model_file_base_name}: the weights file name without {@code .safetensors}, or {@code null}. */
    String modelFileBaseName() {
        return modelFileBaseName;
    }

    private static boolean isLmHead(String moduleName) {
        return moduleName.equals("lm_head") || moduleName.endsWith(".lm_head");
    }

    @Override
    public String toString() {
        if (method == QuantMethod.NONE) {
            return "not quantized";
        }
        StringBuilder sb = new StringBuilder().append(defaults);
        if (lmHeadQuantized) {
            sb.append(", lm_head quantized");
        }
        if (!modulesToNotConvert.isEmpty()) {
            sb.append(", not converted: ").append(modulesToNotConvert);
        }
        for (DynamicRule rule : dynamic) {
            sb.append(", dynamic ").append(rule.key()).append(" -> ")
                    .append(rule.quantization() == null ? "dense" : rule.quantization());
        }
        return sb.append(" (from ").append(source).append(')').toString();
    }
}
