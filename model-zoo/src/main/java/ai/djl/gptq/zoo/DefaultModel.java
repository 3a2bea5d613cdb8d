package ai.djl.gptq.zoo;

import ai.djl.util.Utils;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The model that ships inside the model-zoo jar: a tiny Qwen2 (11M parameters, GPTQ 4-bit, group 128) trained on
 * Python standard-library code, so that generation works on a fresh checkout, offline, with no download. It is
 * the zoo artifact {@value #ARTIFACT_ID}.
 *
 * <p>A model folder must be a real folder (weights are memory-mapped), so the first use copies the files out of
 * the jar to {@code <DJL cache>/gptq/bundled/<name>-<manifest hash>/}, verified against the manifest and
 * published in one rename; later uses find it there.
 */
public final class DefaultModel {

    /** The zoo artifact id of the bundled model. */
    public static final String ARTIFACT_ID = "djl-gptq/tiny-qwen2-py-gptq-int4";

    private static final String FOLDER = "default-model/";
    private static final String MANIFEST = FOLDER + "manifest.json";

    private DefaultModel() {}

    /**
     * The folder of the bundled model, copied out of the jar on first use.
     *
     * @return a model folder with {@code config.json}, {@code model.safetensors} and the tokenizer
     * @throws IOException if the cache cannot be written
     */
    public static Path path() throws IOException {
        Path target = location();
        if (Files.isDirectory(target)) {
            return target;
        }
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempDirectory(target.getParent(), target.getFileName() + ".");
        try {
            for (Map.Entry<String, JsonElement> file : manifest().getAsJsonObject("files").entrySet()) {
                extract(file.getKey(), file.getValue().getAsJsonObject(), tmp);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                // another thread or process extracted it first; both copies are the same bytes
            }
        } finally {
            deleteTree(tmp);
        }
        return target;
    }

    /**
     * Where the bundled model is (or will be) extracted; the folder name changes with the bundled files.
     *
     * @return the folder, which exists once {@link #path()} has run
     * @throws IOException if the manifest cannot be read
     */
    public static Path location() throws IOException {
        byte[] manifest = resource(MANIFEST).readAllBytes();
        String name = JsonParser.parseString(new String(manifest, StandardCharsets.UTF_8))
                .getAsJsonObject()
                .get("name")
                .getAsString();
        String version = HexFormat.of().formatHex(digest().digest(manifest)).substring(0, 12);
        return Utils.getCacheDir().resolve("gptq").resolve("bundled").resolve(name + '-' + version);
    }

    private static JsonObject manifest() throws IOException {
        try (InputStream is = resource(MANIFEST)) {
            return JsonParser.parseString(new String(is.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
        }
    }

    private static void extract(String name, JsonObject expected, Path dir) throws IOException {
        MessageDigest digest = digest();
        Path file = dir.resolve(name);
        long size;
        try (InputStream is = resource(FOLDER + name);
                OutputStream os = new DigestOutputStream(Files.newOutputStream(file), digest)) {
            size = is.transferTo(os);
        }
        String sha256 = HexFormat.of().formatHex(digest.digest());
        if (size != expected.get("size").getAsLong() || !sha256.equals(expected.get("sha256").getAsString())) {
            throw new IOException(
                    "the bundled model file " + name + " in the model-zoo jar does not match its manifest (" + size
                            + " bytes, sha256 " + sha256 + "): the jar is damaged");
        }
    }

    private static InputStream resource(String name) throws IOException {
        InputStream is = DefaultModel.class.getResourceAsStream(name);
        if (is == null) {
            throw new IOException("the model-zoo jar lacks the bundled model file " + name);
        }
        return is;
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
