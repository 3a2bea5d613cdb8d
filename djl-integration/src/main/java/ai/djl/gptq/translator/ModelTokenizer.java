package ai.djl.gptq.translator;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The model folder's Hugging Face tokenizer, configured as the references tokenize prompts (no special tokens). */
public final class ModelTokenizer {

    private ModelTokenizer() {}

    /**
     * Opens {@code dir/tokenizer.json}.
     *
     * @throws IOException when the folder has no tokenizer
     */
    public static HuggingFaceTokenizer open(Path dir) throws IOException {
        Path json = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(json)) {
            throw new IOException(json + ": missing; text prompts need the model's tokenizer (or pass --ids)");
        }
        return HuggingFaceTokenizer.builder()
                .optTokenizerPath(json)
                .optAddSpecialTokens(false)
                .optTruncation(false)
                .optPadding(false)
                .build();
    }

    /** Token ids of {@code text}, without special tokens. */
    public static int[] encode(HuggingFaceTokenizer tokenizer, String text) {
        long[] ids = tokenizer.encode(text, false, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }
}
