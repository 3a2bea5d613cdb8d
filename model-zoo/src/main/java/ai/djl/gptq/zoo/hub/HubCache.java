package ai.djl.gptq.zoo.hub;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The on-disk layout of downloaded hub repositories, modelled on {@code huggingface_hub}'s cache:
 *
 * <pre>
 * &lt;root&gt;/&lt;owner&gt;/&lt;name&gt;/refs/&lt;revision&gt;         the commit a revision resolved to (offline use)
 * &lt;root&gt;/&lt;owner&gt;/&lt;name&gt;/snapshots/&lt;commit&gt;/   a complete model folder, never partly written
 * &lt;root&gt;/&lt;owner&gt;/&lt;name&gt;/incomplete/&lt;commit&gt;/  files being downloaded (*.part until verified)
 * </pre>
 *
 * A repository without an owner lives under {@code -/<name>} ({@code -} cannot start an owner name).
 */
public final class HubCache {

    private static final Pattern REVISION_PART = Pattern.compile("[A-Za-z0-9._-]+");

    private final Path root;

    /**
     * Creates the layout under a root folder.
     *
     * @param root the folder holding one folder per repository
     */
    public HubCache(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** The folder holding one folder per repository. */
    public Path root() {
        return root;
    }

    /** The folder of one repository. */
    public Path repoDir(HubRepoId repo) {
        return root.resolve(repo.owner() == null ? "-" : repo.owner()).resolve(repo.name());
    }

    /** Where the complete files of a commit live. */
    public Path snapshot(HubRepoId repo, String commit) {
        return repoDir(repo).resolve("snapshots").resolve(checkedRevision(commit));
    }

    /** Where the files of a commit are downloaded before the folder is published as a snapshot. */
    public Path incomplete(HubRepoId repo, String commit) {
        return repoDir(repo).resolve("incomplete").resolve(checkedRevision(commit));
    }

    /**
     * The commit a revision resolved to when it was last downloaded, or the revision itself when it names a cached
     * commit.
     *
     * @param repo the repository
     * @param revision a branch, tag or commit
     * @return the commit, if known here
     * @throws IOException if the refs file cannot be read
     */
    public Optional<String> commit(HubRepoId repo, String revision) throws IOException {
        Path ref = refFile(repo, revision);
        if (Files.isRegularFile(ref)) {
            String commit = Files.readString(ref, StandardCharsets.UTF_8).trim();
            if (REVISION_PART.matcher(commit).matches()) {
                return Optional.of(commit);
            }
        }
        if (Files.isDirectory(snapshot(repo, revision))) {
            return Optional.of(revision);
        }
        return Optional.empty();
    }

    /**
     * The complete snapshot a revision resolves to in the cache.
     *
     * @param repo the repository
     * @param revision a branch, tag or commit
     * @return the snapshot folder, if the cache holds it
     * @throws IOException if the refs file cannot be read
     */
    public Optional<Path> cachedSnapshot(HubRepoId repo, String revision) throws IOException {
        Optional<String> commit = commit(repo, revision);
        if (commit.isEmpty()) {
            return Optional.empty();
        }
        Path snapshot = snapshot(repo, commit.get());
        return Files.isDirectory(snapshot) ? Optional.of(snapshot) : Optional.empty();
    }

    /**
     * Records the commit a revision resolves to, atomically.
     *
     * @param repo the repository
     * @param revision a branch, tag or commit
     * @param commit the commit it resolved to
     * @throws IOException if the file cannot be written
     */
    public void writeRef(HubRepoId repo, String revision, String commit) throws IOException {
        if (revision.equals(commit)) {
            return;
        }
        Path ref = refFile(repo, revision);
        Files.createDirectories(ref.getParent());
        Path tmp = Files.createTempFile(ref.getParent(), ".ref", ".tmp");
        try {
            Files.writeString(tmp, commit, StandardCharsets.UTF_8);
            move(tmp, ref);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Publishes a fully downloaded folder as the snapshot of its commit in one rename, so a reader sees either no
     * snapshot or a complete one.
     *
     * @param repo the repository
     * @param commit the commit the folder holds
     * @return the snapshot folder
     * @throws IOException if the folder cannot be moved
     */
    public Path publish(HubRepoId repo, String commit) throws IOException {
        Path from = incomplete(repo, commit);
        Path to = snapshot(repo, commit);
        Files.createDirectories(to.getParent());
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
            // another process published the same commit first: its copy is as good as ours
            deleteTree(from);
        }
        return to;
    }

    private Path refFile(HubRepoId repo, String revision) {
        return repoDir(repo).resolve("refs").resolve(checkedRevision(revision));
    }

    /** Rejects revisions that could not be a folder name under {@code refs/} (or could escape it). */
    static String checkedRevision(String revision) {
        for (String part : revision.split("/", -1)) {
            if (!REVISION_PART.matcher(part).matches() || ".".equals(part) || "..".equals(part)) {
                throw new IllegalArgumentException("not a hub revision: '" + revision + '\'');
            }
        }
        return revision;
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
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
