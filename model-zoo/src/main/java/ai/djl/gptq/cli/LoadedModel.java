package ai.djl.gptq.cli;

import ai.djl.Model;
import ai.djl.gptq.bridge.PyTorchBridge;
import ai.djl.gptq.model.CausalLanguageModel;
import ai.djl.gptq.zoo.DefaultModel;
import ai.djl.gptq.zoo.hub.HubClient;
import ai.djl.gptq.zoo.hub.HubRepoId;
import ai.djl.training.util.ProgressBar;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** A model the command line runs: its folder and its language model on the chosen engine. Close to free it. */
final class LoadedModel implements AutoCloseable {

    final Path dir;
    final CausalLanguageModel lm;
    private final AutoCloseable owner;

    private LoadedModel(Path dir, CausalLanguageModel lm, AutoCloseable owner) {
        this.dir = dir;
        this.lm = lm;
        this.owner = owner;
    }

    static LoadedModel open(ModelOptions options) throws IOException {
        Path dir = locate(options.model);
        String engine = options.engine.toLowerCase(Locale.ROOT);
        switch (engine) {
            case "gptq" -> {
                CausalLanguageModel lm = CausalLanguageModel.load(dir, options.precision());
                return new LoadedModel(dir, lm, lm);
            }
            case "pytorch" -> {
                Model model = PyTorchBridge.load(dir, options.precision());
                return new LoadedModel(dir, PyTorchBridge.languageModel(model), model);
            }
            default -> throw new IllegalArgumentException("unknown engine '" + options.engine + "'; use GPTQ or PyTorch");
        }
    }

    /** The folder a model spec names: the bundled model, a local folder, or a hub repository (downloaded). */
    static Path locate(String spec) throws IOException {
        if (spec == null) {
            return DefaultModel.path();
        }
        Path local = Path.of(spec);
        if (Files.isDirectory(local)) {
            return local;
        }
        String repo = spec.startsWith("hf://") ? spec.substring("hf://".length()) : spec;
        String revision = "main";
        int at = repo.indexOf('@');
        if (at >= 0) {
            revision = repo.substring(at + 1);
            repo = repo.substring(0, at);
        }
        if (!repo.matches("[^/\\s]+/[^/\\s]+")) {
            throw new IllegalArgumentException("--model " + spec + ": no such folder, and not a hub repository name (owner/name or hf://owner/name)");
        }
        return HubClient.fromEnvironment().download(HubRepoId.parse(repo), revision, new ProgressBar());
    }

    @Override
    public void close() throws Exception {
        owner.close();
    }
}
