package ai.djl.gptq.model;

import ai.djl.gptq.format.checkpoint.ModelConfig;

/** The linear layers of one decoder layer, with their module names and shapes {@code [K, N]}. */
public enum Projection {
    Q("self_attn.q_proj"),
    K("self_attn.k_proj"),
    V("self_attn.v_proj"),
    O("self_attn.o_proj"),
    GATE("mlp.gate_proj"),
    UP("mlp.up_proj"),
    DOWN("mlp.down_proj");

    private final String module;

    Projection(String module) {
        this.module = module;
    }

    /** The module name inside a layer, e.g. {@code self_attn.q_proj}. */
    public String module() {
        return module;
    }

    /** K: the width of the input vector. */
    public int inFeatures(ModelConfig c) {
        return switch (this) {
            case Q, K, V, GATE, UP -> c.hiddenSize();
            case O -> c.numHeads() * c.headDim();
            case DOWN -> c.intermediateSize();
        };
    }

    /** N: the width of the output vector. */
    public int outFeatures(ModelConfig c) {
        return switch (this) {
            case Q -> c.numHeads() * c.headDim();
            case K, V -> c.numKvHeads() * c.headDim();
            case O, DOWN -> c.hiddenSize();
            case GATE, UP -> c.intermediateSize();
        };
    }
}
