package ai.djl.gptq.zoo.hub;

import java.io.IOException;

/** A download from the Hugging Face Hub that could not be done, with the reason a caller can act on. */
public class HubException extends IOException {

    private static final long serialVersionUID = 1L;

    /** Why the hub could not give the files. */
    public enum Reason {
        /** The repository, the revision or a file does not exist (HTTP 404). */
        NOT_FOUND,
        /** The hub wants a token, or a better one (HTTP 401/403: private or gated repository). */
        UNAUTHORIZED,
        /** The hub could not be reached and the cache does not hold the files. */
        UNREACHABLE,
        /** Offline mode is on and the cache does not hold the files. */
        NOT_CACHED,
        /** A downloaded file is not what the listing promised (size or sha256). */
        CORRUPT,
        /** The repository holds no checkpoint this project reads (no config.json, no safetensors). */
        UNSUPPORTED,
        /** The hub answered something this client does not understand. */
        PROTOCOL
    }

    private final Reason reason;

    /**
     * Creates the exception.
     *
     * @param reason why the download failed
     * @param message a message naming the repository and what to do
     */
    public HubException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /**
     * Creates the exception with its cause.
     *
     * @param reason why the download failed
     * @param message a message naming the repository and what to do
     * @param cause the underlying failure
     */
    public HubException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** Why the download failed. */
    public Reason reason() {
        return reason;
    }
}
