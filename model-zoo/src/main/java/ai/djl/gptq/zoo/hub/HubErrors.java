package ai.djl.gptq.zoo.hub;

import java.net.URI;
import java.net.http.HttpHeaders;

/**
 * Turns the hub's error answers into messages that say what to do. The hub names its errors in the
 * {@code X-Error-Code} header ({@code RepoNotFound}, {@code RevisionNotFound}, {@code EntryNotFound},
 * {@code GatedRepo}); for a private repository it answers 401 whether or not the repository exists.
 */
final class HubErrors {

    private HubErrors() {}

    /**
     * The exception for an error status.
     *
     * @param status the HTTP status (400 or more)
     * @param headers the response headers
     * @param url what was asked
     * @param label the repository and revision
     * @param tokenSent whether the request carried a token
     * @return the exception to throw
     */
    static HubException of(int status, HttpHeaders headers, URI url, String label, boolean tokenSent) {
        String code = headers.firstValue("X-Error-Code").orElse("");
        String answer = " (HTTP " + status + " from " + url + ')';
        if (status == 404) {
            String what =
                    switch (code) {
                        case "RevisionNotFound" -> "revision not found: " + label;
                        case "EntryNotFound" -> "file not found in " + label;
                        default -> "repository or revision not found: " + label;
                    };
            return new HubException(HubException.Reason.NOT_FOUND, what + answer + "; check the name and revision");
        }
        if (status == 401 || status == 403) {
            String what;
            if ("GatedRepo".equals(code)) {
                what = label + " is gated: accept its conditions on the hub with your account, then set HF_TOKEN to"
                        + " a token of that account";
            } else if (tokenSent) {
                what = "the hub refused the token in HF_TOKEN for " + label
                        + ": it needs an HF_TOKEN that can read this repository";
            } else {
                what = label + " needs HF_TOKEN: the hub refused access without a token; the repository is private"
                        + " or gated (or does not exist); set HF_TOKEN to a token that can read it";
            }
            return new HubException(HubException.Reason.UNAUTHORIZED, what + answer);
        }
        String message = headers.firstValue("X-Error-Message").orElse("unexpected answer");
        return new HubException(HubException.Reason.PROTOCOL, label + ": " + message + answer);
    }
}
