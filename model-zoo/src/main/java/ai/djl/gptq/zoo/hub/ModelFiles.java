package ai.djl.gptq.zoo.hub;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Chooses, from a repository's file list, the files a quantized causal LM needs: its configs, tokenizer, chat
 * template and safetensors weights. PyTorch pickles ({@code .bin}, {@code .pt}), ONNX exports, images and
 * READMEs stay on the hub.
 */
final class ModelFiles {

    /** Config, quantization, tokenizer and chat-template files, downloaded when the repository has them. */
    static final List<String> METADATA =
            List.of(
                    "config.json",
                    "quantize_config.json", // AutoGPTQ exports
                    "quant_config.json", // AutoAWQ exports
                    "generation_config.json",
                    "tokenizer.json",
                    "tokenizer_config.json",
                    "special_tokens_map.json",
                    "chat_template.jinja", // transformers 4.43+ keep the template out of tokenizer_config.json
                    "chat_template.json",
                    ShardIndex.NAME);

    private ModelFiles() {}

    /**
     * The config, tokenizer and index files of the repository.
     *
     * @param listing the repository's files
     * @param label the repository and revision, for messages
     * @return the files to download first
     * @throws HubException if the repository has no {@code config.json}
     */
    static List<RepoFile> metadata(RepoListing listing, String label) throws HubException {
        if (listing.file("config.json").isEmpty()) {
            throw new HubException(
                    HubException.Reason.UNSUPPORTED,
                    label + " has no config.json, so it is not a transformers model; it has: " + listing.paths());
        }
        List<RepoFile> files = new ArrayList<>();
        for (String name : METADATA) {
            listing.file(name).ifPresent(files::add);
        }
        return files;
    }

    /**
     * The safetensors weights: the shards a {@code model.safetensors.index.json} names, or else every top-level
     * {@code *.safetensors} file.
     *
     * @param listing the repository's files
     * @param index the downloaded shard index, or {@code null} when the repository has none
     * @param label the repository and revision, for messages
     * @return the weight files
     * @throws IOException if the index cannot be read, names missing shards, or there are no weights
     */
    static List<RepoFile> weights(RepoListing listing, Path index, String label) throws IOException {
        List<RepoFile> files = new ArrayList<>();
        if (index != null) {
            for (String shard : ShardIndex.shards(index, label)) {
                files.add(
                        listing.file(shard)
                                .orElseThrow(
                                        () ->
                                                new HubException(
                                                        HubException.Reason.UNSUPPORTED,
                                                        label
                                                                + ": "
                                                                + ShardIndex.NAME
                                                                + " names shard '"
                                                                + shard
                                                                + "' which the repository does not have")));
            }
        } else {
            for (RepoFile file : listing.files().values()) {
                if (isTopLevelSafetensors(file.path())) {
                    files.add(file);
                }
            }
        }
        if (files.isEmpty()) {
            throw new HubException(
                    HubException.Reason.UNSUPPORTED,
                    label
                            + " has no *.safetensors weights (djl-gptq reads safetensors only, not .bin/.pt"
                            + " pickles); it has: "
                            + listing.paths());
        }
        return files;
    }

    static boolean isTopLevelSafetensors(String path) {
        return path.endsWith(".safetensors") && path.indexOf('/') < 0 && path.indexOf('\\') < 0
                && !path.startsWith(".");
    }
}
