package org.mxguard.policyservice;

/**
 * A request that breaks the policy delegation protocol or the service's limits. The connection it
 * came on is closed: after a broken line there is no telling where the next request starts.
 */
final class MalformedRequestException extends Exception {

    private static final long serialVersionUID = 1L;

    MalformedRequestException(String message) {
        super(message);
    }
}
