package org.mxguard.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Who may do what on the admin listener. Reading is open on a loopback listener (whoever can
 * connect already runs code on this host); changing state, or anything on a listener others can
 * reach, needs the token, sent as {@code Authorization: Bearer TOKEN} (RFC 6750 §2.1) and never in
 * the URL, where it would end up in proxy logs and shell history.
 */
final class Access {

    /** The outcome of one request's check. */
    sealed interface Verdict {
        /** The request may proceed. */
        record Allowed() implements Verdict {
        }

        /** No credentials where some are needed: 401 with a challenge (RFC 9110 §15.5.2). */
        record Unauthorized(String why) implements Verdict {
        }

        /** Credentials given but wrong: 403. */
        record Forbidden(String why) implements Verdict {
        }
    }

    private static final String SCHEME = "Bearer ";

    private final byte[] tokenDigest;
    private final boolean loopbackOnly;

    Access(String token, boolean loopbackOnly) {
        this.tokenDigest = token == null ? null : sha256(token);
        this.loopbackOnly = loopbackOnly;
    }

    /**
     * @param authorization the Authorization header, or null
     * @param changesState whether the request would change anything
     */
    Verdict check(String authorization, boolean changesState) {
        if (authorization == null) {
            if (changesState) {
                return new Verdict.Unauthorized("this request changes state: send Authorization: Bearer TOKEN");
            }
            return loopbackOnly ? new Verdict.Allowed()
                    : new Verdict.Unauthorized("this listener is not loopback-only: send Authorization: Bearer TOKEN");
        }
        if (tokenDigest == null) {
            return new Verdict.Forbidden("no admin token is configured: set admin.token or admin.token-file");
        }
        if (!authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return new Verdict.Forbidden("the Authorization header must use the Bearer scheme");
        }
        // Digests first: equal lengths, so the comparison time says nothing about the token's length either.
        if (!MessageDigest.isEqual(tokenDigest, sha256(authorization.substring(SCHEME.length()).strip()))) {
            return new Verdict.Forbidden("wrong token");
        }
        return new Verdict.Allowed();
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
