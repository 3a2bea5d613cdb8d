package ai.djl.gptq.zoo.hub;

import ai.djl.util.Progress;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Downloads one file so that a killed or cut download never leaves a file that looks complete: bytes go to
 * {@code <file>.part}, a later attempt resumes it with {@code Range: bytes=<part size>-}, and only a part whose
 * size (and sha256, for LFS files) matches the listing is renamed to its final name.
 */
final class HubDownload {

    private static final Logger logger = LoggerFactory.getLogger(HubDownload.class);

    /** How many times one call resumes a cut transfer before giving up (the .part stays for the next call). */
    static final int MAX_RESUMES = 5;

    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    private static final int BUFFER = 1 << 16;

    private final HttpClient http;
    private final HubSettings settings;

    HubDownload(HttpClient http, HubSettings settings) {
        this.http = http;
        this.settings = settings;
    }

    /**
     * Fetches a file unless its verified copy is already there.
     *
     * @param url the file's {@code resolve} URL
     * @param file what the listing says about the file
     * @param target the final path
     * @param label the repository and revision, for messages
     * @param progress counts the bytes received, or {@code null}
     * @throws IOException if the file cannot be fetched or does not match the listing
     */
    void fetch(URI url, RepoFile file, Path target, String label, Progress progress) throws IOException {
        if (Files.isRegularFile(target) && (!file.hasSize() || Files.size(target) == file.size())) {
            return;
        }
        Path part = target.resolveSibling(target.getFileName() + ".part");
        int cuts = 0;
        while (true) {
            long have = Files.isRegularFile(part) ? Files.size(part) : 0;
            if (file.hasSize() && have > file.size()) {
                Files.delete(part);
                have = 0;
            }
            if (file.hasSize() && have == file.size()) {
                break;
            }
            try {
                if (transfer(url, file, part, have, label, progress)) {
                    break;
                }
            } catch (HubException e) {
                throw e;
            } catch (InterruptedIOException e) {
                throw e; // the caller was interrupted: stop, keeping the part for a later resume
            } catch (IOException e) {
                if (Thread.currentThread().isInterrupted()) {
                    throw e;
                }
                if (++cuts > MAX_RESUMES) {
                    long kept = Files.isRegularFile(part) ? Files.size(part) : 0;
                    throw new HubException(
                            HubException.Reason.UNREACHABLE,
                            "download of " + file.path() + " from " + label + " was cut " + cuts
                                    + " times; run again to resume from byte " + kept,
                            e);
                }
                logger.info("{}: transfer of {} cut ({}); resuming", label, file.path(), e.toString());
            }
        }
        verify(file, part, label);
        move(part, target);
    }

    /**
     * One request: appends what the server sends to the part file.
     *
     * @return true if the body was received in full, false if the server refused the range and must be asked again
     */
    private boolean transfer(URI url, RepoFile file, Path part, long have, String label, Progress progress)
            throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).GET().header("User-Agent", HubClient.USER_AGENT);
        if (settings.token() != null) {
            request.header("Authorization", "Bearer " + settings.token());
        }
        if (have > 0) {
            request.header("Range", "bytes=" + have + '-');
        }
        HttpResponse<InputStream> response = send(request.build());
        int status = response.statusCode();
        try (InputStream body = response.body()) {
            long offset;
            if (status == 206) {
                offset = rangeStart(response, url);
                if (offset > have) {
                    throw new HubException(
                            HubException.Reason.PROTOCOL,
                            url + " answered a range from byte " + offset + " when asked from byte " + have);
                }
            } else if (status == 200) {
                offset = 0; // the server ignored the range: start over
            } else if (status == 416) {
                Files.deleteIfExists(part); // our part is longer than the file now is: start over
                return false;
            } else {
                throw HubErrors.of(status, response.headers(), url, label, settings.token() != null);
            }
            long announced = announcedSize(response, offset);
            if (file.hasSize() && announced >= 0 && announced != file.size()) {
                Files.deleteIfExists(part);
                throw new HubException(
                        HubException.Reason.CORRUPT,
                        label + ": " + file.path() + " is served with " + announced + " bytes, the hub lists "
                                + file.size() + "; the download was discarded");
            }
            copy(body, part, offset, file.hasSize() ? file.size() : announced, progress);
            return true;
        }
    }

    private HttpResponse<InputStream> send(HttpRequest request) throws IOException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while connecting to " + request.uri());
        }
    }

    /** Streams the body into the part file at {@code offset}; throws if it ends short. */
    private void copy(InputStream body, Path part, long offset, long expected, Progress progress)
            throws IOException {
        byte[] buffer = new byte[BUFFER];
        long position = offset;
        try (FileChannel channel =
                        FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                StallWatch watch = new StallWatch(settings.stallTimeout())) {
            channel.truncate(offset);
            channel.position(offset);
            try {
                int n;
                while ((n = body.read(buffer)) >= 0) {
                    watch.progressed();
                    if (expected >= 0 && position + n > expected) {
                        throw new HubException(
                                HubException.Reason.CORRUPT,
                                part.getFileName() + ": the server sent more than the " + expected + " bytes listed");
                    }
                    ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
                    while (chunk.hasRemaining()) {
                        channel.write(chunk);
                    }
                    position += n;
                    if (progress != null) {
                        progress.increment(n);
                    }
                }
            } catch (IOException e) {
                if (watch.fired()) {
                    throw new IOException("no data for " + settings.stallTimeout().toSeconds() + " s", e);
                }
                throw e;
            }
        }
        if (expected >= 0 && position < expected) {
            throw new IOException("connection closed at byte " + position + " of " + expected);
        }
    }

    private static long rangeStart(HttpResponse<?> response, URI url) throws IOException {
        String range = response.headers().firstValue("Content-Range").orElse("");
        Matcher m = CONTENT_RANGE.matcher(range);
        if (!m.matches()) {
            throw new HubException(
                    HubException.Reason.PROTOCOL, url + " answered 206 with a bad Content-Range: '" + range + '\'');
        }
        return Long.parseLong(m.group(1));
    }

    /** The whole file's size as the response announces it, or -1. */
    private static long announcedSize(HttpResponse<?> response, long offset) {
        if (response.statusCode() == 206) {
            Matcher m =
                    CONTENT_RANGE.matcher(response.headers().firstValue("Content-Range").orElse(""));
            if (m.matches() && !"*".equals(m.group(3))) {
                return Long.parseLong(m.group(3));
            }
        }
        OptionalLong length = response.headers().firstValueAsLong("Content-Length");
        return length.isPresent() ? offset + length.getAsLong() : -1;
    }

    private static void verify(RepoFile file, Path part, String label) throws IOException {
        long size = Files.size(part);
        if (file.hasSize() && size != file.size()) {
            Files.delete(part);
            throw new HubException(
                    HubException.Reason.CORRUPT,
                    label + ": " + file.path() + " has " + size + " bytes, the hub lists " + file.size()
                            + "; the download was discarded");
        }
        if (file.sha256() != null) {
            String actual = sha256(part);
            if (!actual.equals(file.sha256())) {
                Files.delete(part);
                throw new HubException(
                        HubException.Reason.CORRUPT,
                        label + ": " + file.path() + " has sha256 " + actual + ", the hub lists " + file.sha256()
                                + "; the download was discarded");
            }
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
        ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            while (channel.read(buffer) >= 0) {
                buffer.flip();
                digest.update(buffer);
                buffer.clear();
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
