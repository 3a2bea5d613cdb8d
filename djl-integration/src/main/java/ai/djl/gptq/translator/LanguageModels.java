package ai.djl.gptq.translator;

import ai.djl.Model;
import ai.djl.gptq.generate.CausalLm;
import ai.djl.gptq.model.CausalLanguageModel;
import ai.djl.gptq.model.CausalLmBlock;

/** Finds the language model behind a loaded DJL model, whichever engine runs it. */
public final class LanguageModels {

    private LanguageModels() {}

    /**
     * The generation view of {@code model}: its block must be our decoder ({@link CausalLmBlock}), which both the
     * GPTQ engine and the PyTorch bridge build.
     *
     * @throws IllegalArgumentException when the model holds another kind of block
     */
    public static CausalLm of(Model model) {
        if (!(model.getBlock() instanceof CausalLmBlock block)) {
            throw new IllegalArgumentException("model '" + model.getName() + "' on engine "
                    + model.getNDManager().getEngine().getEngineName()
                    + " has no djl-gptq decoder block; load it with optEngine(\"GPTQ\") or through the djl-gptq model zoo");
        }
        return adapt(block.languageModel());
    }

    public static CausalLm adapt(CausalLanguageModel lm) {
        return new CausalLm() {
            @Override
            public int vocabSize() {
                return lm.vocabSize();
            }

            @Override
            public int maxContext() {
                return lm.maxContext();
            }

            @Override
            public Session newSession(int contextLength) {
                CausalLanguageModel.Session session = lm.newSession(contextLength);
                return new Session() {
                    @Override
                    public float[] forward(int[] tokens) {
                        return session.forward(tokens);
                    }

                    @Override
                    public int position() {
                        return session.position();
                    }

                    @Override
                    public void close() {
                        session.close();
                    }
                };
            }
        };
    }
}
