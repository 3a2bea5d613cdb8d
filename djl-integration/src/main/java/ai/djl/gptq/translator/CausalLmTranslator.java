package ai.djl.gptq.translator;

import ai.djl.Model;
import ai.djl.gptq.model.CausalLanguageModel;
import ai.djl.gptq.model.CausalLmBlock;
import ai.djl.modality.nlp.generate.CausalLMOutput;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import java.util.Arrays;

/**
 * {@code Predictor<NDList, CausalLMOutput>}: the contract of DJL's {@link ai.djl.modality.nlp.generate.TextGenerator}
 * (greedy, beam and contrastive search) on our decoder, without PyTorch.
 *
 * <p>Input: {@code [inputIds [B, T], positionIds [B, T], attentionMask [B, P + T], past]} where {@code past} is
 * absent on the first call of a sequence. Output: {@link CausalLMOutput} with float32 logits {@code [B, T, vocab]}
 * and a past of one float32 array {@code [B, 1, P + T, 1]}, and as hidden state (for contrastive search) the
 * last layer's output after the final norm, float32 {@code [B, T, hidden]} (transformers'
 * {@code output_hidden_states[-1]}), from the same forward pass as the logits; rows of padding are zero.
 *
 * <p>The past does not hold keys and values: it holds the token ids seen so far, shaped like a one-head cache
 * of width one, so that the searches' reshapes, repeats and beam selections act on it exactly as on a real cache.
 * The real caches are {@link CausalLanguageModel.Session}s kept in a {@link SessionPool} under the tokens they
 * hold; a row whose history is in the pool continues that session (one token per greedy step), any other row
 * recomputes its history once. Positions follow the attention mask: masked tokens (left padding) are left out,
 * so {@code positionIds} is not read.
 */
public final class CausalLmTranslator implements NoBatchifyTranslator<NDList, CausalLMOutput> {

    private static final String OUTPUT = "gptq.causalLmOutput";

    private final CausalLanguageModel model;
    private final SessionPool sessions;

    public CausalLmTranslator(CausalLanguageModel model) {
        this.model = model;
        this.sessions = new SessionPool(model);
    }

    /**
     * The translator for a loaded DJL model whose block is our decoder.
     *
     * @throws IllegalArgumentException when the model holds another kind of block
     */
    public static CausalLmTranslator of(Model model) {
        if (!(model.getBlock() instanceof CausalLmBlock block)) {
            throw new IllegalArgumentException("model '" + model.getName() + "' has no djl-gptq decoder block;"
                    + " load it with optEngine(\"GPTQ\") or through the djl-gptq model zoo");
        }
        return new CausalLmTranslator(block.languageModel());
    }

    @Override
    public NDList processInput(TranslatorContext ctx, NDList input) {
        if (input.size() != 3 && input.size() != 4) {
            throw new IllegalArgumentException("expected [inputIds, positionIds, attentionMask] and an optional past"
                    + " from this translator, got " + input.size() + " arrays");
        }
        NDArray inputIds = input.get(0);
        Shape idsShape = inputIds.getShape();
        if (idsShape.dimension() != 2) {
            throw new IllegalArgumentException("inputIds must be [batch, seq], got " + idsShape);
        }
        int batch = Math.toIntExact(idsShape.get(0));
        int seq = Math.toIntExact(idsShape.get(1));
        NDArray past = input.size() == 4 ? input.get(3) : null;
        int pastLength = past == null ? 0 : pastLength(past, batch);
        NDArray mask = input.get(2);
        if (!mask.getShape().equals(new Shape(batch, pastLength + seq))) {
            throw new IllegalArgumentException("attentionMask must be [" + batch + ", " + (pastLength + seq)
                    + "] (batch, past + seq), got " + mask.getShape());
        }
        long[] ids = longs(inputIds);
        long[] attention = longs(mask);
        float[] pastIds = past == null ? new float[0] : past.toFloatArray();

        int total = pastLength + seq;
        int vocab = model.vocabSize();
        float[] logits = new float[Math.multiplyExact(Math.multiplyExact(batch, seq), vocab)];
        int width = model.config().hiddenSize();
        float[] hidden = new float[Math.multiplyExact(Math.multiplyExact(batch, seq), width)];
        float[] history = new float[batch * total];
        for (int b = 0; b < batch; b++) {
            int[] row = new int[total];
            for (int t = 0; t < pastLength; t++) {
                row[t] = tokenId(pastIds[b * pastLength + t]);
            }
            for (int t = 0; t < seq; t++) {
                row[pastLength + t] = tokenId(ids[b * seq + t]);
            }
            for (int t = 0; t < total; t++) {
                history[b * total + t] = row[t];
            }
            forwardRow(row, Arrays.copyOfRange(attention, b * total, (b + 1) * total), pastLength, logits,
                    (long) b * seq * vocab, hidden, (long) b * seq * width);
        }
        NDManager manager = inputIds.getManager();
        NDArray logitsArray = manager.create(logits, new Shape(batch, seq, vocab));
        NDArray hiddenArray = manager.create(hidden, new Shape(batch, seq, width));
        NDArray historyArray = manager.create(history, new Shape(batch, 1, total, 1));
        ctx.setAttachment(OUTPUT, new CausalLMOutput(logitsArray, hiddenArray, new NDList(historyArray)));
        return new NDList();
    }

    @Override
    public CausalLMOutput processOutput(TranslatorContext ctx, NDList list) {
        return (CausalLMOutput) ctx.getAttachment(OUTPUT);
    }

    /** Runs the unmasked new tokens of one row after its unmasked history; their logits go to their positions. */
    private void forwardRow(int[] row, long[] mask, int pastLength, float[] logits, long offset, float[] hidden,
            long hiddenOffset) {
        int[] known = unmasked(row, mask, 0, pastLength);
        int[] fresh = unmasked(row, mask, pastLength, row.length);
        if (fresh.length == 0) {
            // a row that is all padding: its logits are never read, leave them zero
            return;
        }
        int vocab = model.vocabSize();
        int width = model.config().hiddenSize();
        float[] rowHidden = new float[Math.multiplyExact(fresh.length, width)];
        CausalLanguageModel.Session session = sessions.take(known, known.length + fresh.length);
        float[] rowLogits;
        try {
            rowLogits = session.forwardAll(fresh, rowHidden);
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
        int k = 0;
        for (int t = pastLength; t < row.length; t++) {
            if (mask[t] != 0) {
                System.arraycopy(rowLogits, k * vocab, logits, Math.toIntExact(offset + (long) (t - pastLength) * vocab), vocab);
                System.arraycopy(rowHidden, k * width, hidden, Math.toIntExact(hiddenOffset + (long) (t - pastLength) * width),
                        width);
                k++;
            }
        }
        sessions.put(unmasked(row, mask, 0, row.length), session);
    }

    private static int[] unmasked(int[] row, long[] mask, int from, int to) {
        int n = 0;
        for (int t = from; t < to; t++) {
            n += mask[t] != 0 ? 1 : 0;
        }
        int[] out = new int[n];
        int k = 0;
        for (int t = from; t < to; t++) {
            if (mask[t] != 0) {
                out[k++] = row[t];
            }
        }
        return out;
    }

    private static int pastLength(NDArray past, int batch) {
        Shape shape = past.getShape();
        if (shape.dimension() != 4 || shape.get(0) != batch || shape.get(1) != 1 || shape.get(3) != 1
                || past.getDataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException("past must be the [" + batch + ", 1, past, 1] float32 array this"
                    + " translator returned, got " + shape + " " + past.getDataType());
        }
        return Math.toIntExact(shape.get(2));
    }

    private static long[] longs(NDArray array) {
        return switch (array.getDataType()) {
            case INT64 -> array.toLongArray();
            case INT32 -> Arrays.stream(array.toIntArray()).asLongStream().toArray();
            default -> throw new IllegalArgumentException("token ids and attention masks must be INT64 or INT32, got "
                    + array.getDataType());
        };
    }

    private static int tokenId(double id) {
        if (id != Math.rint(id) || id < 0 || id > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("token id " + id + " is not a vocabulary index");
        }
        return (int) id;
    }
}
