package ai.djl.gptq.zoo.hub;

/**
 * One file of a hub repository at a commit, as the revision API lists it.
 *
 * @param path the file's path in the repository ({@code siblings[].rfilename})
 * @param size its size in bytes, or -1 when the listing does not say
 * @param sha256 the sha256 of an LFS file's content (lower-case hex), or {@code null} for a plain git file
 */
public record RepoFile(String path, long size, String sha256) {

    /** Whether the listing gave the file's size. */
    public boolean hasSize() {
        return size >= 0;
    }
}
