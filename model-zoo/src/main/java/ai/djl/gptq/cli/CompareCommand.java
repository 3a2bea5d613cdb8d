package ai.djl.gptq.cli;

import ai.djl.Model;
import ai.djl.gptq.bridge.PyTorchBridge;
import ai.djl.gptq.model.ActivationPrecision;
import ai.djl.gptq.model.CausalLanguageModel;
import ai.djl.gptq.translator.ModelTokenizer;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code compare}: the same prompt through the GPTQ engine and through PyTorch (dequantized), layer by layer, to
 * find where two implementations of one checkpoint part.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Run GPTQ and PyTorch (dequantized) side by side on one prompt and print, layer by layer,",
            "the relative L2 error ||gptq - pytorch|| / ||pytorch|| of the hidden states and of the final logits,",
            "then the first layer whose error is above --threshold."})
final class CompareCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "DIR|owner/name|hf://owner/name[@rev]",
            description = "Checkpoint folder, hub repository or hf:// URL. Default: the bundled tiny model.")
    String model;

    @Option(names = "--activations", defaultValue = "fp32",
            description = "fp32 (default: isolates implementation differences from rounding) or fp16, on both engines.")
    String activations;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    @Option(names = "--threshold", defaultValue = "1e-3", description = "Relative error above which a layer counts as parted (default 1e-3).")
    double threshold;

    static final class Input {
        @Option(names = "--prompt", description = "Prompt text.")
        String prompt;

        @Option(names = "--ids", description = "Prompt as comma-separated token ids.")
        String ids;
    }

    @Override
    public Integer call() throws Exception {
        if (!(threshold >= 0)) {
            throw new IllegalArgumentException("--threshold must be >= 0, not " + threshold);
        }
        ActivationPrecision precision = ActivationPrecision.parse(activations);
        Path dir = LoadedModel.locate(model);
        int[] tokens = tokens(dir);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        Outputs gptq;
        try (CausalLanguageModel lm = CausalLanguageModel.load(dir, precision)) {
            gptq = Outputs.of(lm, tokens);
        }
        Outputs torch;
        try (Model pytorch = PyTorchBridge.load(dir, precision)) {
            torch = Outputs.of(PyTorchBridge.languageModel(pytorch), tokens);
        }
        out.printf(Locale.ROOT, "%d tokens, %s activations, threshold %.1e%n", tokens.length, precision, threshold);
        String parted = null;
        for (int i = 0; i < gptq.hidden.length; i++) {
            String name = i == 0 ? "embeddings" : "layer " + (i - 1);
            double error = relativeL2(gptq.hidden[i], torch.hidden[i]);
            out.printf(Locale.ROOT, "%-12s %.3e%n", name, error);
            if (parted == null && !(error <= threshold)) {
                parted = name;
            }
        }
        double logitsError = relativeL2(gptq.logits, torch.logits);
        out.printf(Locale.ROOT, "%-12s %.3e%n", "logits", logitsError);
        if (parted == null && !(logitsError <= threshold)) {
            parted = "logits";
        }
        out.println(parted == null ? "first parting: none" : "first parting: " + parted);
        return 0;
    }

    private int[] tokens(Path dir) throws Exception {
        if (input.ids != null) {
            return TokenIds.parse(input.ids);
        }
        try (HuggingFaceTokenizer tokenizer = ModelTokenizer.open(dir)) {
            int[] ids = ModelTokenizer.encode(tokenizer, input.prompt);
            if (ids.length == 0) {
                throw new IllegalArgumentException("--prompt: encodes to no tokens");
            }
            return ids;
        }
    }

    /** Every hidden state and the logits of every position of one engine. */
    private record Outputs(float[][] hidden, float[] logits) {
        static Outputs of(CausalLanguageModel lm, int[] tokens) {
            float[][] hidden;
            try (CausalLanguageModel.Session session = lm.newSession(tokens.length)) {
                hidden = session.hiddenStates(tokens);
            }
            return new Outputs(hidden, lm.logits(tokens));
        }
    }

    /** {@code ||a - b|| / ||b||}, in double; NaN stays NaN so that it reads as parted. */
    static double relativeL2(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalStateException("the engines disagree on a shape: " + a.length + " vs " + b.length + " values");
        }
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - b[i];
            diff += d * d;
            norm += (double) b[i] * b[i];
        }
        return norm == 0 ? Math.sqrt(diff) : Math.sqrt(diff / norm);
    }
}
