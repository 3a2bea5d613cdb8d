package ai.djl.gptq.cli;

import ai.djl.gptq.generate.GenerationConfig;
import ai.djl.gptq.generate.Generator;
import ai.djl.gptq.translator.LanguageModels;
import ai.djl.gptq.translator.ModelTokenizer;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code generate}: continue a prompt (text or token ids) with the model. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate a continuation of PROMPT (or of --ids). Without --model: the bundled tiny model, offline.")
final class GenerateCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Parameters(arity = "0..1", paramLabel = "PROMPT", description = "Prompt text.")
    String prompt;

    @Option(names = "--ids", description = "Prompt as comma-separated token ids instead of text.")
    String ids;

    @Option(names = "--max-new-tokens", description = "Tokens to generate at most (default: the model's generation_config.json, else 64).")
    Integer maxNewTokens;

    @ArgGroup(exclusive = true)
    Decoding decoding;

    @Option(names = "--ignore-eos", description = "Keep generating past end-of-sequence tokens.")
    boolean ignoreEos;

    @Option(names = "--stop", description = "Stop before this string (repeatable).")
    List<String> stop;

    @Option(names = "--stream", description = "Print text as it is generated.")
    boolean stream;

    @Option(names = "--output-ids", description = "Print the generated token ids as a JSON array on the last line.")
    boolean outputIds;

    static final class Decoding {
        @Option(names = "--greedy", description = "Always take the most likely token (default unless sampling options are given).")
        boolean greedy;

        @ArgGroup(exclusive = false)
        Sampling sampling;
    }

    static final class Sampling {
        @Option(names = "--temperature", description = "Sampling temperature (> 0).")
        Float temperature;

        @Option(names = "--top-k", description = "Sample among the k most likely tokens (0 = all).")
        Integer topK;

        @Option(names = "--top-p", description = "Sample among the most likely tokens holding probability p.")
        Float topP;

        @Option(names = "--seed", description = "Random seed for reproducible sampling.")
        Long seed;
    }

    @Override
    public Integer call() throws Exception {
        if ((prompt == null) == (ids == null)) {
            throw new IllegalArgumentException("give either a PROMPT or --ids");
        }
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        try (LoadedModel loaded = LoadedModel.open(model);
                HuggingFaceTokenizer tokenizer = ModelTokenizer.open(loaded.dir)) {
            int[] promptIds = ids != null ? TokenIds.parse(ids) : ModelTokenizer.encode(tokenizer, prompt);
            GenerationConfig config = config(loaded.dir);
            Generator generator = new Generator(LanguageModels.adapt(loaded.lm), t -> tokenizer.decode(t, true));
            Generator.Result result = generator.generate(promptIds, config, piece -> {
                if (stream) {
                    out.print(piece);
                    out.flush();
                }
            });
            if (stream) {
                out.println();
            } else {
                out.println(prompt != null ? prompt + result.text() : result.text());
            }
            if (outputIds) {
                out.println(TokenIds.json(result.generatedIds()));
            }
        }
        return 0;
    }

    private GenerationConfig config(Path dir) throws Exception {
        Path file = dir.resolve("generation_config.json");
        GenerationConfig base = Files.isRegularFile(file) ? GenerationConfig.read(file) : GenerationConfig.DEFAULT;
        Map<String, Object> overrides = new HashMap<>();
        overrides.put("doSample", false);
        if (maxNewTokens != null) {
            overrides.put("maxNewTokens", maxNewTokens);
        }
        if (ignoreEos) {
            overrides.put("ignoreEos", true);
        }
        if (stop != null) {
            overrides.put("stop", stop);
        }
        if (decoding != null && decoding.sampling != null) {
            Sampling s = decoding.sampling;
            overrides.put("doSample", true);
            overrides.put("temperature", s.temperature);
            overrides.put("topK", s.topK);
            overrides.put("topP", s.topP);
            overrides.put("seed", s.seed);
        }
        return base.with(overrides);
    }
}
