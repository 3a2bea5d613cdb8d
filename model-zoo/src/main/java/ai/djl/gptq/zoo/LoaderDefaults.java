package ai.djl.gptq.zoo;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The artifact arguments every zoo and {@code hf://} model carries, so that DJL's {@code BaseModelLoader} loads
 * it with no further criteria: the GPTQ engine (criteria's {@code optEngine} still wins) and the text-generation
 * translator factory, named by class so that this module does not need it to compile.
 */
public final class LoaderDefaults {

    /** The engine the zoo loads models on unless the criteria name another. */
    public static final String ENGINE = "GPTQ";

    /** The translator factory of djl-integration, found by {@code BaseModelLoader} from the artifact arguments. */
    public static final String TRANSLATOR_FACTORY = "ai.djl.gptq.translator.TextGenerationTranslatorFactory";

    /**
     * Lets an engine other than GPTQ (PyTorch) run the checkpoint: it builds the dequantized decoder block. The
     * GPTQ engine ignores it and builds its fused block.
     */
    public static final String BLOCK_FACTORY = "ai.djl.gptq.bridge.DequantizedBlockFactory";

    private LoaderDefaults() {}

    /**
     * The model options every artifact carries: {@code hasParameter=false}, since the block factory's block
     * holds its weights and PyTorch must not look for a {@code .pt} file.
     *
     * @return the options
     */
    public static Map<String, String> options() {
        return Map.of("hasParameter", "false");
    }

    /**
     * A fresh, modifiable map of the default arguments ({@code engine}, {@code translatorFactory}, {@code blockFactory}).
     *
     * @return the arguments
     */
    public static Map<String, Object> arguments() {
        Map<String, Object> arguments = new LinkedHashMap<>();
        arguments.put("engine", ENGINE);
        arguments.put("translatorFactory", TRANSLATOR_FACTORY);
        arguments.put("blockFactory", BLOCK_FACTORY);
        return arguments;
    }
}
