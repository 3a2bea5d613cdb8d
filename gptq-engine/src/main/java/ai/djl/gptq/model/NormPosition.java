package ai.djl.gptq.model;

/** The RMSNorms of one decoder layer: before attention and before the MLP. */
public enum NormPosition {
    INPUT("input_layernorm"),
    POST_ATTENTION("post_attention_layernorm");

    private final String module;

    NormPosition(String module) {
        this.module = module;
    }

    /** The module name inside a layer. */
    public String module() {
        return module;
    }
}
