package ai.djl.gptq.translator;

import ai.djl.inference.streaming.StreamingTranslator;
import ai.djl.ndarray.NDList;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import java.util.stream.Stream;

/**
 * A translator whose input becomes one prompt and whose output is a generation from it. The whole generation
 * runs in {@link #processOutput}: the block is not called with an NDList, because generation is a loop over the
 * model's own KV-cached session rather than one forward pass.
 */
abstract class PromptTranslator<I, O> implements NoBatchifyTranslator<I, O> {

    private static final String PROMPT = "gptq.promptIds";

    final TextModel model;

    PromptTranslator(TextModel model) {
        this.model = model;
    }

    /** The prompt text of one input. */
    abstract String prompt(I input);

    /** The output generated from the prompt's token ids. */
    abstract O generate(int[] promptIds);

    @Override
    public NDList processInput(TranslatorContext ctx, I input) {
        ctx.setAttachment(PROMPT, model.encode(prompt(input)));
        return new NDList();
    }

    @Override
    public O processOutput(TranslatorContext ctx, NDList list) {
        return generate((int[]) ctx.getAttachment(PROMPT));
    }

    /**
     * {@code Predictor.streamingPredict}'s output: the block streams no chunk for our empty input (see
     * {@link ai.djl.gptq.model.CausalLmBlock#forwardStreamIter}), so the stream is closed at once (which frees
     * the predictor context) and the iterative output is {@link #generate} of the prompt, run when it is asked for.
     * Only {@link StreamingTranslator.Support#ITERATIVE}: a generation is pulled, never pushed.
     */
    StreamingTranslator.StreamOutput<O> streamOutput(TranslatorContext ctx, Stream<NDList> chunks) {
        int[] promptIds = (int[]) ctx.getAttachment(PROMPT);
        chunks.close();
        return new StreamingTranslator.StreamOutput<>() {
            @Override
            protected O buildAsyncOutput() {
                throw new UnsupportedOperationException("djl-gptq text generation streams iteratively only:"
                        + " use getIterativeOutput()");
            }

            @Override
            protected void computeAsyncOutputInternal(O output) {
                throw new UnsupportedOperationException("djl-gptq text generation streams iteratively only:"
                        + " use getIterativeOutput()");
            }

            @Override
            public O getIterativeOutputInternal() {
                return generate(promptIds);
            }
        };
    }
}
