package ai.djl.gptq.format.checkpoint;

import ai.djl.gptq.format.UnsupportedCheckpointException;
import ai.djl.gptq.format.safetensors.DType;
import java.util.List;
import java.util.Set;

/**
 * Builds a {@link ModelConfig} from {@code config.json}, applying transformers' defaults and refusing
 * values no real model has, so that later allocations sized from the config cannot be forged into an OOM.
 */
final class ModelConfigReader {

    // Bounds well above any released model (largest today: hidden 16384, inter 53248, vocab 262144).
    private static final long MAX_HIDDEN = 1 << 17;
    private static final long MAX_INTERMEDIATE = 1 << 20;
    private static final long MAX_LAYERS = 1 << 12;
    private static final long MAX_HEADS = 1 << 12;
    private static final long MAX_HEAD_DIM = 1 << 12;
    private static final long MAX_VOCAB = 1 << 24;
    private static final long MAX_POSITIONS = 1 << 28;
    private static final double DEFAULT_ROPE_THETA = 10000.0;
    private static final Set<String> ROPE_TYPES = Set.of("linear", "dynamic", "yarn", "longrope", "llama3");

    private ModelConfigReader() {}

    static ModelConfig read(ConfigJson json) {
        Architecture arch = architecture(json);
        String modelType = json.string("model_type", arch.modelType());
        int hidden = (int) json.requiredLong("hidden_size", 1, MAX_HIDDEN);
        int intermediate = (int) json.requiredLong("intermediate_size", 1, MAX_INTERMEDIATE);
        int layers = (int) json.requiredLong("num_hidden_layers", 1, MAX_LAYERS);
        int heads = (int) json.requiredLong("num_attention_heads", 1, MAX_HEADS);
        int kvHeads = kvHeads(json, arch, heads);
        int headDim;
        if (json.has("head_dim")) {
            headDim = (int) json.longValue("head_dim", 1, MAX_HEAD_DIM, 0);
        } else {
            if (hidden % heads != 0) {
                throw json.invalid("hidden_size", "hidden_size " + hidden
                        + " is not divisible by num_attention_heads " + heads + " and no head_dim is given");
            }
            headDim = hidden / heads;
        }
        int vocab = (int) json.requiredLong("vocab_size", 1, MAX_VOCAB);
        int maxPositions = (int) json.longValue(
                "max_position_embeddings", 1, MAX_POSITIONS, arch.defaultMaxPositionEmbeddings());
        double eps = json.positiveDouble("rms_norm_eps", arch.defaultRmsNormEps());

        double ropeTheta;
        RopeScaling scaling;
        ConfigJson ropeParameters = json.section("rope_parameters");
        if (ropeParameters != null) {
            ropeTheta = ropeParameters.positiveDouble(
                    "rope_theta", json.positiveDouble("rope_theta", DEFAULT_ROPE_THETA));
            scaling = ropeScaling(ropeParameters, maxPositions);
        } else {
            ropeTheta = json.positiveDouble("rope_theta", DEFAULT_ROPE_THETA);
            ConfigJson ropeSection = json.section("rope_scaling");
            scaling = ropeSection == null ? null : ropeScaling(ropeSection, maxPositions);
        }

        int bos = (int) json.longValue("bos_token_id", 0, vocab - 1, -1);
        long[] eosValues = json.longOrList("eos_token_id", 0, vocab - 1);
        int[] eos = new int[eosValues.length];
        for (int i = 0; i < eos.length; i++) {
            eos[i] = (int) eosValues[i];
        }
        return new ModelConfig(
                json.file(),
                arch.className(),
                modelType,
                hidden,
                intermediate,
                layers,
                heads,
                kvHeads,
                headDim,
                vocab,
                maxPositions,
                eps,
                ropeTheta,
                scaling,
                json.bool("tie_word_embeddings", false),
                json.bool("attention_bias", arch.defaultAttentionBias()),
                slidingWindow(json, arch, layers),
                dtype(json),
                json.string("hidden_act", "silu"),
                bos,
                eos);
    }

    private static Architecture architecture(ConfigJson json) {
        List<String> classes = json.stringList("architectures");
        if (classes != null && !classes.isEmpty()) {
            Architecture arch = Architecture.forClassName(classes.getFirst());
            if (arch == null) {
                throw new UnsupportedCheckpointException(json.file(), json.key("architectures"), "architecture "
                        + classes.getFirst() + " is not supported; supported: " + Architecture.supported());
            }
            return arch;
        }
        String type = json.string("model_type", null);
        if (type == null) {
            throw json.invalid("architectures", "missing, and no model_type either");
        }
        Architecture arch = Architecture.forModelType(type);
        if (arch == null) {
            throw new UnsupportedCheckpointException(json.file(), json.key("model_type"), "model_type " + type
                    + " is not supported; supported architectures: " + Architecture.supported());
        }
        return arch;
    }

    private static int kvHeads(ConfigJson json, Architecture arch, int heads) {
        // MistralConfig's parameter default is 8; an explicit null means "same as heads" in every config class.
        int fallback = arch == Architecture.MISTRAL && !json.written("num_key_value_heads") ? 8 : heads;
        int kvHeads = (int) json.longValue("num_key_value_heads", 1, MAX_HEADS, fallback);
        if (heads % kvHeads != 0) {
            throw json.invalid("num_key_value_heads", "num_attention_heads " + heads
                    + " is not divisible by num_key_value_heads " + kvHeads);
        }
        return kvHeads;
    }

    private static RopeScaling ropeScaling(ConfigJson section, int maxPositions) {
        String type = section.string("rope_type", section.string("type", "default"));
        if ("default".equals(type)) {
            return null;
        }
        if (!ROPE_TYPES.contains(type)) {
            throw new UnsupportedCheckpointException(section.file(), section.key("rope_type"), "rope type " + type
                    + " is not supported; supported: default, " + String.join(", ", ROPE_TYPES.stream().sorted().toList()));
        }
        return new RopeScaling(
                type,
                section.positiveDouble("factor", 1.0),
                section.positiveDouble("low_freq_factor", 1.0),
                section.positiveDouble("high_freq_factor", 4.0),
                (int) section.longValue("original_max_position_embeddings", 1, MAX_POSITIONS, maxPositions));
    }

    /**
     * One window for all layers, or 0. Qwen2 slides only on layers from {@code max_window_layers} on
     * (transformers 5.x spells this out as {@code layer_types}); a mix of full and sliding layers is refused.
     */
    private static int slidingWindow(ConfigJson json, Architecture arch, int layers) {
        if (arch.defaultSlidingWindow() == 0) {
            return 0;
        }
        int window = json.written("sliding_window")
                ? (int) json.longValue("sliding_window", 1, MAX_POSITIONS, 0)
                : arch.defaultSlidingWindow();
        int slidingLayers;
        List<String> layerTypes = json.stringList("layer_types");
        if (layerTypes != null) {
            if (layerTypes.size() != layers) {
                throw json.invalid("layer_types", "has " + layerTypes.size() + " entries for " + layers + " layers");
            }
            slidingLayers = 0;
            for (int i = 0; i < layers; i++) {
                String t = layerTypes.get(i);
                if ("sliding_attention".equals(t)) {
                    slidingLayers++;
                } else if (!"full_attention".equals(t)) {
                    throw new UnsupportedCheckpointException(json.file(), json.key("layer_types[" + i + "]"),
                            "layer type " + t + " is not supported; supported: full_attention, sliding_attention");
                }
            }
        } else if (arch == Architecture.QWEN2) {
            if (!json.bool("use_sliding_window", false)) {
                return 0;
            }
            long fromLayer = json.longValue("max_window_layers", 0, MAX_LAYERS, 28);
            slidingLayers = (int) Math.max(0, layers - fromLayer);
        } else {
            slidingLayers = layers;
        }
        if (window == 0 || slidingLayers == 0) {
            return 0;
        }
        if (slidingLayers != layers) {
            throw new UnsupportedCheckpointException(json.file(), json.key(layerTypes != null ? "layer_types"
                    : "max_window_layers"), slidingLayers + " of " + layers + " layers use a sliding window;"
                    + " supported: a sliding window on all layers or on none");
        }
        return window;
    }

    private static DType dtype(ConfigJson json) {
        String key = json.has("dtype") ? "dtype" : "torch_dtype";
        String name = json.string(key, null);
        if (name == null) {
            // transformers loads a config without a dtype in torch's default, float32.
            return DType.F32;
        }
        return switch (name.startsWith("torch.") ? name.substring(6) : name) {
            case "float16", "half" -> DType.F16;
            case "bfloat16" -> DType.BF16;
            case "float32", "float" -> DType.F32;
            default -> throw new UnsupportedCheckpointException(json.file(), json.key(key), "dtype " + name
                    + " is not supported; supported: float16, bfloat16, float32");
        };
    }
}
