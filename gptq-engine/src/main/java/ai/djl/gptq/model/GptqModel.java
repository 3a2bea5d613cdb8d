package ai.djl.gptq.model;

import ai.djl.BaseModel;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The DJL model of the GPTQ engine: {@link #load(Path, String, Map)} reads a Hugging Face checkpoint folder
 * (GPTQ, AWQ or dense safetensors) and builds a {@link CausalLmBlock} running on the fused kernels.
 *
 * <p>Options: {@value ActivationPrecision#OPTION} = {@code fp16} (default) or {@code fp32};
 * {@value #IMPLEMENTATION} = {@code fused} (default: packed weights, the kernels) or {@code ndarray} (the generic
 * decoder made of NDArray calls on this engine, weights dequantized once; for checking the engine's ops).
 */
public class GptqModel extends BaseModel {

    /** The option choosing between the fused kernels and the generic NDArray decoder. */
    public static final String IMPLEMENTATION = "implementation";

    private CausalLanguageModel languageModel;

    public GptqModel(String name, NDManager manager) {
        super(name);
        this.manager = manager;
        this.dataType = DataType.FLOAT16;
    }

    /**
     * Loads the checkpoint folder {@code modelPath} ({@code prefix} is not used: the folder's files are found by
     * their Hugging Face names).
     *
     * @throws ai.djl.gptq.format.CheckpointException when the folder, a config or a tensor is invalid or
     *     unsupported (the message names the file and the item)
     */
    @Override
    public void load(Path modelPath, String prefix, Map<String, ?> options) {
        if (languageModel != null) {
            throw new IllegalStateException("model " + modelName + " is already loaded from " + modelDir);
        }
        Path dir = Files.isRegularFile(modelPath) ? modelPath.toAbsolutePath().getParent() : modelPath.toAbsolutePath();
        Object activations = options == null ? null : options.get(ActivationPrecision.OPTION);
        ActivationPrecision precision = ActivationPrecision.parse(activations == null ? null : activations.toString());
        Object implementation = options == null ? null : options.get(IMPLEMENTATION);
        boolean generic = switch (implementation == null ? "fused" : implementation.toString()) {
            case "fused" -> false;
            case "ndarray" -> true;
            default -> throw new IllegalArgumentException(IMPLEMENTATION + " must be fused or ndarray, not '"
                    + implementation + "'");
        };
        setModelDir(dir);
        languageModel = generic
                ? CausalLanguageModel.loadDequantized(modelDir, manager, precision)
                : CausalLanguageModel.load(modelDir, precision);
        block = languageModel.block();
        dataType = precision.dataType();
        wasLoaded = true;
        properties.put(ActivationPrecision.OPTION, precision.toString());
        properties.put(IMPLEMENTATION, generic ? "ndarray" : "fused");
        properties.put("architecture", languageModel.config().architecture());
    }

    /** The loaded model's Java API (sessions, forward passes, generation); {@code null} before {@link #load}. */
    public CausalLanguageModel languageModel() {
        return languageModel;
    }

    @Override
    public void close() {
        if (languageModel != null) {
            languageModel.close();
        }
        super.close();
    }
}
