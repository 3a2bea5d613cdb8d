package ai.djl.gptq.zoo.hub;

import ai.djl.util.Utils;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * Where and how the hub client talks to the hub, read the way {@code huggingface_hub} reads it.
 *
 * <ul>
 *   <li>{@code HF_ENDPOINT}: the hub's base URL (default {@code https://huggingface.co}), e.g. a mirror.
 *   <li>{@code HF_TOKEN}: sent as {@code Authorization: Bearer}; without it, the token file
 *       {@code HF_TOKEN_PATH}, else {@code $HF_HOME/token}, else {@code ~/.cache/huggingface/token}.
 *   <li>{@code HF_HUB_OFFLINE=1} (or DJL's offline mode, {@code DJL_OFFLINE=true}): the cache only.
 *   <li>the cache lives in DJL's cache folder ({@code DJL_CACHE_DIR}) under {@code gptq/hub}.
 * </ul>
 *
 * <p>Each {@code HF_*} name is read first as a Java system property, then as an environment variable: the
 * reverse of DJL's own order, so that a running JVM (a test, an application server) can point the client at a
 * different hub without restarting with a new environment.
 *
 * @param endpoint the hub's base URL, without a trailing slash
 * @param token the bearer token, or {@code null}
 * @param cacheRoot the folder holding one folder per repository
 * @param offline whether to use the cache only
 * @param stallTimeout how long a download may receive nothing before it is abandoned and resumed
 */
public record HubSettings(URI endpoint, String token, Path cacheRoot, boolean offline, Duration stallTimeout) {

    /** The public hub. */
    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";

    private static final Set<String> TRUE = Set.of("1", "true", "yes", "on");
    private static final Duration DEFAULT_STALL = Duration.ofSeconds(60);

    /** Normalises the endpoint and rejects a blank token. */
    public HubSettings {
        String base = endpoint.toString();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        endpoint = URI.create(base);
        if (token != null && token.isBlank()) {
            token = null;
        }
    }

    /**
     * Reads the settings from system properties, the environment and DJL's configuration.
     *
     * @return the settings in force now
     */
    public static HubSettings fromEnvironment() {
        String endpoint = setting("HF_ENDPOINT");
        String offline = setting("HF_HUB_OFFLINE");
        boolean isOffline = offline != null && TRUE.contains(offline.trim().toLowerCase(Locale.ROOT));
        return new HubSettings(
                URI.create(endpoint == null || endpoint.isBlank() ? DEFAULT_ENDPOINT : endpoint.trim()),
                readToken(),
                Utils.getCacheDir().resolve("gptq").resolve("hub"),
                isOffline || Utils.isOfflineMode(),
                DEFAULT_STALL);
    }

    /** A copy with another token (or none). */
    public HubSettings withToken(String newToken) {
        return new HubSettings(endpoint, newToken, cacheRoot, offline, stallTimeout);
    }

    /** A copy with offline mode set as given. */
    public HubSettings withOffline(boolean newOffline) {
        return new HubSettings(endpoint, token, cacheRoot, newOffline, stallTimeout);
    }

    /** A copy with another stall timeout. */
    public HubSettings withStallTimeout(Duration newStallTimeout) {
        return new HubSettings(endpoint, token, cacheRoot, offline, newStallTimeout);
    }

    /** Says whether a token is set without printing it, so settings can be logged. */
    @Override
    public String toString() {
        return "HubSettings[endpoint=" + endpoint + ", token=" + (token == null ? "none" : "set")
                + ", cacheRoot=" + cacheRoot + ", offline=" + offline + ", stallTimeout=" + stallTimeout + ']';
    }

    private static String setting(String name) {
        String value = System.getProperty(name);
        return value != null ? value : System.getenv(name);
    }

    private static String readToken() {
        String token = setting("HF_TOKEN");
        if (token != null) {
            // set but empty means "no token", also over a token file
            return token.isBlank() ? null : token.trim();
        }
        Path file = tokenFile();
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return null;
        }
    }

    private static Path tokenFile() {
        String path = setting("HF_TOKEN_PATH");
        if (path != null && !path.isBlank()) {
            return Path.of(path);
        }
        String home = setting("HF_HOME");
        if (home != null && !home.isBlank()) {
            return Path.of(home, "token");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "huggingface", "token");
    }
}
