package ai.djl.gptq.zoo.hub;

import java.util.regex.Pattern;

/**
 * A Hugging Face Hub model repository name, {@code owner/name} (or a legacy owner-less {@code name}).
 *
 * <p>Both parts become folder names in the cache and path segments in hub URLs, so only the characters the hub
 * itself allows are accepted: a name such as {@code ../x} can never escape the cache.
 */
public record HubRepoId(String owner, String name) {

    private static final Pattern PART = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9_-])?");

    /** Checks both parts; {@code owner} is {@code null} for a legacy repository without one. */
    public HubRepoId {
        if (owner != null && !PART.matcher(owner).matches() || !PART.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "not a hub repository name: '" + (owner == null ? "" : owner + '/') + name + '\'');
        }
    }

    /**
     * Parses {@code owner/name} or {@code name}.
     *
     * @param id the repository name as the hub writes it
     * @return the parsed name
     */
    public static HubRepoId parse(String id) {
        int slash = id.indexOf('/');
        if (slash < 0) {
            return new HubRepoId(null, id);
        }
        return new HubRepoId(id.substring(0, slash), id.substring(slash + 1));
    }

    /** The name as the hub writes it, {@code owner/name}. */
    @Override
    public String toString() {
        return owner == null ? name : owner + '/' + name;
    }
}
