package ai.djl.gptq.tests.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Application;
import ai.djl.gptq.zoo.GptqModelZoo;
import ai.djl.inference.Predictor;
import ai.djl.gptq.zoo.hub.HubException;
import ai.djl.gptq.zoo.repository.HubRepository;
import ai.djl.repository.Artifact;
import ai.djl.repository.MRL;
import ai.djl.repository.Repository;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelLoader;
import ai.djl.repository.zoo.ZooModel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The {@code hf://} URL scheme, as {@code Criteria.optModelUrls} uses it. */
class HfUrlTest {

    @Test
    void urlNamesRepositoryRevisionAndArguments() throws IOException {
        Repository repository =
                Repository.newInstance("m", "hf://Qwen/Qwen2.5-0.5B-Instruct-AWQ@v1.0?maxNewTokens=32");

        HubRepository hub = assertInstanceOf(HubRepository.class, repository);
        assertEquals("Qwen/Qwen2.5-0.5B-Instruct-AWQ", hub.repo().toString());
        assertEquals("v1.0", hub.revision());
        List<MRL> resources = hub.getResources();
        assertEquals(1, resources.size());
        MRL mrl = resources.get(0);
        assertEquals("Qwen/Qwen2.5-0.5B-Instruct-AWQ", mrl.getArtifactId());
        assertEquals(GptqModelZoo.GROUP_ID, mrl.getGroupId());
        assertEquals(Application.NLP.TEXT_GENERATION, mrl.getApplication());
        Artifact artifact = mrl.getDefaultArtifact();
        Map<String, Object> arguments = artifact.getArguments(null);
        assertEquals("32", arguments.get("maxNewTokens"));
        assertEquals("GPTQ", arguments.get("engine"));
        assertEquals("ai.djl.gptq.translator.TextGenerationTranslatorFactory", arguments.get("translatorFactory"));
        assertEquals("AWQ", artifact.getProperties().get("method"), "an indexed repository keeps its properties");
        assertEquals("v1.0", artifact.getProperties().get("revision"));
    }

    @Test
    void revisionDefaultsToMainAndBadUrlsAreRejected() {
        HubRepository plain = (HubRepository) Repository.newInstance("m", "hf://someone/some-model/");
        assertEquals("main", plain.revision());
        assertEquals("someone/some-model", plain.repo().toString());
        HubRepository pr = (HubRepository) Repository.newInstance("m", "hf://someone/some-model@refs%2Fpr%2F3");
        assertEquals("refs/pr/3", pr.revision());
        assertNull(((HubRepository) Repository.newInstance("m", "hf://gpt2")).repo().owner());

        assertThrows(IllegalArgumentException.class, () -> Repository.newInstance("m", "hf://a/b/c"));
        assertThrows(IllegalArgumentException.class, () -> Repository.newInstance("m", "hf://a/..@main"));
        assertThrows(IllegalArgumentException.class, () -> Repository.newInstance("m", "hf://a/b@"));
    }

    @Test
    void optModelUrlsDownloadsTheRepositoryAndResolvesItsFolder(@TempDir Path cache) throws Exception {
        try (HubMirror mirror = HubMirror.start();
                ScopedProperties properties = new ScopedProperties()) {
            HubMirror.Repo repo = mirror.serve("test-owner/tiny-qwen2", HubClientTest.FIXTURE);
            properties.useMirror(mirror, cache);
            Criteria<String, String> criteria = Criteria.builder()
                    .setTypes(String.class, String.class)
                    .optModelUrls("hf://test-owner/tiny-qwen2")
                    .build();
            assertFalse(criteria.isDownloaded());

            criteria.downloadModel();

            ModelLoader loader = criteria.getModelZoo().getModelLoaders().iterator().next();
            MRL mrl = loader.getMrl();
            Path folder = mrl.getRepository().getResourceDirectory(mrl.getDefaultArtifact());
            assertEquals(cache.resolve("gptq/hub/test-owner/tiny-qwen2/snapshots/" + repo.commit), folder);
            assertEquals(HubClientTest.FIXTURE_FILES, HubClientTest.names(folder));

            // a new Criteria (a new repository) finds the download through refs/main, offline
            properties.set("HF_HUB_OFFLINE", "1");
            Criteria<String, String> offline = Criteria.builder()
                    .setTypes(String.class, String.class)
                    .optModelUrls("hf://test-owner/tiny-qwen2")
                    .build();
            assertTrue(offline.isDownloaded());
        }
    }

    @Test
    void hfUrlGeneratesTheSameGreedyTextOnBothEngines(@TempDir Path cache) throws Exception {
        try (HubMirror mirror = HubMirror.start();
                ScopedProperties properties = new ScopedProperties()) {
            mirror.serve("test-owner/tiny-qwen2", HubClientTest.FIXTURE);
            properties.useMirror(mirror, cache);
            Criteria<String, String> gptq = Criteria.builder()
                    .setTypes(String.class, String.class)
                    .optModelUrls("hf://test-owner/tiny-qwen2?maxNewTokens=8&activations=fp32")
                    .build();
            String onGptq = generate(gptq);
            assertFalse(onGptq.isEmpty());
            assertEquals(onGptq, generate(gptq.toBuilder().optEngine("PyTorch").build()));
        }
    }

    private static String generate(Criteria<String, String> criteria) throws Exception {
        try (ZooModel<String, String> model = criteria.loadModel();
                Predictor<String, String> predictor = model.newPredictor()) {
            return predictor.predict("def fibonacci(n):\n");
        }
    }

    @Test
    void missingRepositoryFailsWithTheHubMessage(@TempDir Path cache) throws Exception {
        try (HubMirror mirror = HubMirror.start();
                ScopedProperties properties = new ScopedProperties()) {
            properties.useMirror(mirror, cache);
            Criteria<String, String> criteria = Criteria.builder()
                    .setTypes(String.class, String.class)
                    .optModelUrls("hf://nobody/missing")
                    .build();

            HubException e = assertThrows(HubException.class, criteria::downloadModel);
            assertTrue(e.getMessage().contains("repository or revision not found: nobody/missing@main"),
                    e.getMessage());
        }
    }
}
