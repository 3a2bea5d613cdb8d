package ai.djl.gptq.zoo.repository;

import ai.djl.gptq.zoo.IndexEntry;
import ai.djl.gptq.zoo.ModelIndex;
import ai.djl.gptq.zoo.hub.HubRepoId;
import ai.djl.repository.Repository;
import ai.djl.repository.RepositoryFactory;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The {@code hf://owner/name[@revision][?key=value...]} URL scheme, registered with DJL through
 * {@code META-INF/services/ai.djl.repository.RepositoryFactory}, so that
 * {@code Criteria.optModelUrls("hf://Qwen/Qwen2.5-0.5B-Instruct-GPTQ-Int4")} downloads any hub repository. The
 * revision defaults to {@code main}; query parameters become artifact arguments (e.g. {@code ?maxNewTokens=32}).
 */
public final class HfRepositoryFactory implements RepositoryFactory {

    /** The URL scheme. */
    public static final String SCHEME = "hf";

    /** {@inheritDoc} */
    @Override
    public Repository newInstance(String name, URI uri) {
        if (!SCHEME.equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("not an hf:// URL: " + uri);
        }
        String location = uri.getRawSchemeSpecificPart();
        int query = location.indexOf('?');
        if (query >= 0) {
            location = location.substring(0, query);
        }
        if (!location.startsWith("//")) {
            throw new IllegalArgumentException("expected hf://owner/name[@revision], got " + uri);
        }
        location = URLDecoder.decode(location.substring(2).replace("+", "%2B"), StandardCharsets.UTF_8);
        while (location.endsWith("/")) {
            location = location.substring(0, location.length() - 1);
        }
        String revision = "main";
        int at = location.indexOf('@');
        if (at >= 0) {
            revision = location.substring(at + 1);
            location = location.substring(0, at);
        }
        if (revision.isEmpty()) {
            throw new IllegalArgumentException("empty revision in " + uri);
        }
        HubRepoId repo;
        try {
            repo = HubRepoId.parse(location);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("expected hf://owner/name[@revision], got " + uri, e);
        }
        // a repository the index knows keeps its properties, so criteria filters work on it too
        Map<String, String> properties =
                new LinkedHashMap<>(
                        ModelIndex.builtIn().find(repo.toString()).map(IndexEntry::properties).orElse(Map.of()));
        properties.put("revision", revision);
        properties.put("source", "hub");
        return new HubRepository(name, uri, repo, revision, properties);
    }

    /** {@inheritDoc} */
    @Override
    public Set<String> getSupportedScheme() {
        return Set.of(SCHEME);
    }
}
