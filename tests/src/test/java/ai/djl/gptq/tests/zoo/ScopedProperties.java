package ai.djl.gptq.tests.zoo;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sets system properties for one test and puts the old values back: the hub settings and DJL's cache folder
 * are read from system properties, since a test cannot set environment variables.
 */
final class ScopedProperties implements AutoCloseable {

    private final Map<String, String> previous = new LinkedHashMap<>();

    ScopedProperties set(String name, String value) {
        if (!previous.containsKey(name)) {
            previous.put(name, System.getProperty(name));
        }
        System.setProperty(name, value);
        return this;
    }

    /** Points the hub client at {@code mirror}, online and without a token, with DJL's cache in {@code cache}. */
    ScopedProperties useMirror(HubMirror mirror, Path cache) {
        return set("HF_ENDPOINT", mirror.endpoint().toString())
                .set("HF_TOKEN", "")
                .set("HF_HUB_OFFLINE", "0")
                .set("DJL_CACHE_DIR", cache.toString());
    }

    @Override
    public void close() {
        for (Map.Entry<String, String> entry : previous.entrySet()) {
            if (entry.getValue() == null) {
                System.clearProperty(entry.getKey());
            } else {
                System.setProperty(entry.getKey(), entry.getValue());
            }
        }
    }
}
