package ai.djl.gptq.tests.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Application;
import ai.djl.gptq.zoo.DefaultModel;
import ai.djl.gptq.zoo.GptqModelZoo;
import ai.djl.gptq.zoo.IndexEntry;
import ai.djl.gptq.zoo.LoaderDefaults;
import ai.djl.repository.Artifact;
import ai.djl.repository.MRL;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelLoader;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ModelZoo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The zoo as DJL users reach it: through {@code ModelZoo} and {@code Criteria}. */
class GptqModelZooTest {

    private static final List<String> REQUIRED =
            List.of(
                    "Qwen/Qwen2.5-0.5B-Instruct-GPTQ-Int4",
                    "Qwen/Qwen2.5-0.5B-Instruct-GPTQ-Int8",
                    "Qwen/Qwen2.5-0.5B-Instruct-AWQ",
                    "Qwen/Qwen2.5-1.5B-Instruct-GPTQ-Int4",
                    "Qwen/Qwen2.5-1.5B-Instruct-GPTQ-Int8",
                    "Qwen/Qwen2.5-1.5B-Instruct-AWQ",
                    "Qwen/Qwen2.5-7B-Instruct-GPTQ-Int4",
                    "Qwen/Qwen2.5-7B-Instruct-GPTQ-Int8",
                    "Qwen/Qwen2.5-7B-Instruct-AWQ",
                    "TheBloke/Llama-2-7B-GPTQ",
                    "TheBloke/Llama-2-7B-Chat-GPTQ",
                    "TheBloke/Llama-2-7B-AWQ",
                    "TheBloke/Llama-2-7B-Chat-AWQ",
                    "TheBloke/Mistral-7B-Instruct-v0.2-GPTQ",
                    "TheBloke/Mistral-7B-Instruct-v0.2-AWQ",
                    "astronomer/Llama-3-8B-Instruct-GPTQ-4-Bit",
                    DefaultModel.ARTIFACT_ID);

    @Test
    void zooIsRegisteredWithGptqAndPyTorchEngines() {
        ModelZoo zoo = ModelZoo.getModelZoo(GptqModelZoo.GROUP_ID);
        assertInstanceOf(GptqModelZoo.class, zoo);
        assertEquals(List.of("GPTQ", "PyTorch"), List.copyOf(zoo.getSupportedEngines()));
    }

    @Test
    void listModelsShowsTheIndexAsTextGeneration() {
        Map<Application, List<MRL>> models =
                ModelZoo.listModels(Criteria.builder().optApplication(Application.NLP.TEXT_GENERATION).build());
        List<String> ours = models.get(Application.NLP.TEXT_GENERATION).stream()
                .filter(mrl -> GptqModelZoo.GROUP_ID.equals(mrl.getGroupId()))
                .map(MRL::getArtifactId)
                .toList();
        assertTrue(ours.containsAll(REQUIRED), "listed: " + ours);
        assertEquals(((GptqModelZoo) ModelZoo.getModelZoo(GptqModelZoo.GROUP_ID)).index().entries().size(),
                ours.size());
    }

    @Test
    void indexEntriesAreConsistent() {
        GptqModelZoo zoo = (GptqModelZoo) ModelZoo.getModelZoo(GptqModelZoo.GROUP_ID);
        for (IndexEntry entry : zoo.index().entries()) {
            assertTrue(Set.of("GPTQ", "AWQ").contains(entry.method()), entry.id());
            assertTrue(Set.of(2, 3, 4, 8).contains(entry.bits()), entry.id());
            assertTrue(entry.architecture().endsWith("ForCausalLM"), entry.id());
            // a quantized model is smaller than its fp16 weights and larger than its packed weights alone
            assertTrue(entry.approxBytes() < entry.parameters() * 2, entry.id());
            assertTrue(entry.approxBytes() > entry.parameters() * entry.bits() / 8 / 2, entry.id());
            String expectedMethod = entry.id().toUpperCase().contains("AWQ") ? "AWQ" : "GPTQ";
            assertEquals(expectedMethod, entry.method(), entry.id());
        }
    }

    @Test
    void artifactCarriesPropertiesEngineAndTranslatorFactory() throws IOException {
        ModelLoader loader = ModelZoo.getModelZoo(GptqModelZoo.GROUP_ID)
                .getModelLoader("Qwen/Qwen2.5-0.5B-Instruct-GPTQ-Int8");
        assertEquals(Application.NLP.TEXT_GENERATION, loader.getApplication());
        Artifact artifact = loader.getMrl().getDefaultArtifact();
        assertEquals("GPTQ", artifact.getProperties().get("method"));
        assertEquals("8", artifact.getProperties().get("bits"));
        assertEquals("Qwen2ForCausalLM", artifact.getProperties().get("architecture"));
        Map<String, Object> arguments = artifact.getArguments(null);
        assertEquals(LoaderDefaults.ENGINE, arguments.get("engine"));
        assertEquals("ai.djl.gptq.translator.TextGenerationTranslatorFactory", arguments.get("translatorFactory"));
    }

    @Test
    void criteriaAcceptsPyTorchButNotAnEngineTheZooLacks() throws IOException, ModelNotFoundException {
        Criteria<String, String> pytorch = Criteria.builder()
                .setTypes(String.class, String.class)
                .optArtifactId(DefaultModel.ARTIFACT_ID)
                .optEngine("PyTorch")
                .build();
        assertNotNull(pytorch.toString());
        // resolving the loaders is what rejects an unsupported engine; isDownloaded() resolves them
        pytorch.isDownloaded();

        Criteria<String, String> onnx = Criteria.builder()
                .setTypes(String.class, String.class)
                .optArtifactId(DefaultModel.ARTIFACT_ID)
                .optEngine("OnnxRuntime")
                .build();
        assertThrows(ModelNotFoundException.class, onnx::isDownloaded);
    }

    @Test
    void hubNameResolvesToADownloadedFolder(@TempDir Path cache) throws Exception {
        String name = "Qwen/Qwen2.5-0.5B-Instruct-GPTQ-Int4";
        try (HubMirror mirror = HubMirror.start();
                ScopedProperties properties = new ScopedProperties()) {
            HubMirror.Repo repo = mirror.serve(name, HubClientTest.FIXTURE);
            properties.useMirror(mirror, cache);
            Criteria<String, String> criteria = Criteria.builder()
                    .setTypes(String.class, String.class)
                    .optArtifactId(name)
                    .build();
            assertFalse(criteria.isDownloaded());

            criteria.downloadModel();

            assertTrue(criteria.isDownloaded());
            Path folder = folderOf(name);
            assertEquals(cache.resolve("gptq/hub/Qwen/Qwen2.5-0.5B-Instruct-GPTQ-Int4/snapshots/" + repo.commit),
                    folder);
            assertEquals(HubClientTest.FIXTURE_FILES, HubClientTest.names(folder));
        }
    }

    @Test
    void bundledModelIsExtractedOfflineAndIsTheZooArtifact(@TempDir Path cache) throws Exception {
        try (ScopedProperties properties = new ScopedProperties()) {
            properties.set("DJL_CACHE_DIR", cache.toString())
                    .set("HF_HUB_OFFLINE", "1")
                    .set("ai.djl.offline", "true");
            assertFalse(Files.exists(DefaultModel.location()));

            Path folder = DefaultModel.path();

            assertTrue(folder.startsWith(cache.resolve("gptq/bundled")), folder.toString());
            assertEquals(HubClientTest.FIXTURE_FILES, HubClientTest.names(folder));
            for (String file : HubClientTest.FIXTURE_FILES) {
                assertArrayEquals(Files.readAllBytes(HubClientTest.FIXTURE.resolve(file)),
                        Files.readAllBytes(folder.resolve(file)), file);
            }
            assertEquals(folder, DefaultModel.path());

            Criteria<String, String> criteria = Criteria.builder()
                    .setTypes(String.class, String.class)
                    .optArtifactId(DefaultModel.ARTIFACT_ID)
                    .build();
            assertTrue(criteria.isDownloaded());
            criteria.downloadModel();
            assertEquals(folder, folderOf(DefaultModel.ARTIFACT_ID));
        }
    }

    private static Path folderOf(String artifactId) throws IOException {
        ModelLoader loader = ModelZoo.getModelZoo(GptqModelZoo.GROUP_ID).getModelLoader(artifactId);
        MRL mrl = loader.getMrl();
        return mrl.getRepository().getResourceDirectory(mrl.getDefaultArtifact());
    }
}
