package ai.djl.gptq.tests.model;

import ai.djl.gptq.format.checkpoint.CheckpointFolder;
import ai.djl.gptq.format.checkpoint.LayerQuantization;
import ai.djl.gptq.format.checkpoint.ModelConfig;
import ai.djl.gptq.format.safetensors.DType;
import ai.djl.gptq.format.safetensors.SafetensorsWriter;
import ai.djl.gptq.format.safetensors.Tensor;
import ai.djl.gptq.format.safetensors.TensorSource;
import ai.djl.gptq.model.Projection;
import ai.djl.gptq.quant.QuantizedLinear;
import ai.djl.gptq.quant.QuantizedLinearReader;
import ai.djl.gptq.quant.ReferenceDequantizer;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** Checkpoints the tests make from a fixture: a dense copy in some dtype, or the same weights under another config. */
final class DerivedCheckpoint {

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls().create();

    private DerivedCheckpoint() {}

    /**
     * Writes {@code fixture} to {@code dir} with every quantized layer dequantized into a dense {@code [N, K]}
     * weight of {@code dtype} (as a dense Hugging Face export stores it) and every other tensor converted to it.
     */
    static Path dense(Fixture fixture, DType dtype, Path dir) {
        return dense(fixture, dtype, dir, name -> true);
    }

    /** Like {@link #dense(Fixture, DType, Path)}, writing only the tensors whose name {@code keep} accepts. */
    static Path dense(Fixture fixture, DType dtype, Path dir, Predicate<String> keep) {
        CheckpointFolder folder = CheckpointFolder.open(fixture.folder());
        ModelConfig config = folder.config();
        SafetensorsWriter writer = new SafetensorsWriter();
        try (TensorSource source = folder.openWeights()) {
            for (String name : source.names()) {
                if (name.endsWith(".qweight")) {
                    String module = name.substring(0, name.length() - ".qweight".length());
                    Projection p = projectionOf(module);
                    LayerQuantization q = folder.quantization().forModule(module);
                    QuantizedLinear w = QuantizedLinearReader.read(
                            source, module, q, p.inFeatures(config), p.outFeatures(config));
                    if (keep.test(module + ".weight")) {
                        writer.addFloats(module + ".weight", dtype, new long[] {w.outFeatures(), w.inFeatures()},
                                transpose(ReferenceDequantizer.dequantize(w), w.inFeatures(), w.outFeatures()));
                    }
                    if (w.bias() != null && keep.test(module + ".bias")) {
                        writer.addFloats(module + ".bias", dtype, new long[] {w.outFeatures()}, w.bias());
                    }
                } else if (!isQuantizationTensor(source, name) && keep.test(name)) {
                    Tensor t = source.tensor(name);
                    writer.addFloats(name, dtype, t.shape(), t.toFloatArray());
                }
            }
        }
        String dtypeName = switch (dtype) {
            case F16 -> "float16";
            case BF16 -> "bfloat16";
            case F32 -> "float32";
            default -> throw new IllegalArgumentException(dtype.toString());
        };
        return withConfig(fixture, dir, false, json -> {
            json.remove("quantization_config");
            json.remove("dtype");
            json.addProperty("torch_dtype", dtypeName);
        }, writer);
    }

    /** Copies {@code fixture}'s files to {@code dir} and lets {@code edit} change its {@code config.json}. */
    static Path edited(Fixture fixture, Path dir, Consumer<JsonObject> edit) {
        return withConfig(fixture, dir, true, edit, null);
    }

    private static Path withConfig(Fixture fixture, Path dir, boolean copyWeights, Consumer<JsonObject> edit,
            SafetensorsWriter weights) {
        try {
            Files.createDirectories(dir);
            try (var files = Files.list(fixture.folder())) {
                for (Path file : files.toList()) {
                    String name = file.getFileName().toString();
                    boolean weightFile = name.endsWith(".safetensors") || name.equals("quantize_config.json");
                    if (!name.equals("config.json") && (copyWeights || !weightFile)) {
                        Files.copy(file, dir.resolve(name));
                    }
                }
            }
            JsonObject json = GSON.fromJson(Files.readString(fixture.folder().resolve("config.json")), JsonObject.class);
            edit.accept(json);
            Files.writeString(dir.resolve("config.json"), GSON.toJson(json));
            if (weights != null) {
                weights.write(dir.resolve("model.safetensors"));
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** qzeros, scales, g_idx and the bias of a quantized module: written with the dequantized weight, or not at all. */
    private static boolean isQuantizationTensor(TensorSource source, String name) {
        int dot = name.lastIndexOf('.');
        String suffix = name.substring(dot);
        return suffix.equals(".qzeros") || suffix.equals(".scales") || suffix.equals(".g_idx")
                || (suffix.equals(".bias") && source.contains(name.substring(0, dot) + ".qweight"));
    }

    private static Projection projectionOf(String module) {
        for (Projection p : Projection.values()) {
            if (module.endsWith("." + p.module())) {
                return p;
            }
        }
        throw new IllegalArgumentException("not a decoder projection: " + module);
    }

    private static float[] transpose(float[] kn, int k, int n) {
        float[] nk = new float[kn.length];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < n; j++) {
                nk[j * k + i] = kn[i * n + j];
            }
        }
        return nk;
    }
}
