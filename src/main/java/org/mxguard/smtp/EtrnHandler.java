package org.mxguard.smtp;

import org.mxguard.mail.ClientInfo;
import org.mxguard.mail.Reply;

/**
 * Answers ETRN (RFC 1985): the client asks for the queue of a domain to be flushed. Without one
 * the server answers 502 5.5.1 and does not advertise ETRN.
 */
@FunctionalInterface
interface EtrnHandler {

    /**
     * Starts a queue run and says so; never blocks for the run itself.
     *
     * @param argument what follows ETRN: "example.org", "@example.org" or "#queue" (RFC 1985 §5)
     * @param client who asked
     * @return 250 (queuing started), 251, 252, 253, 458 or 459 as RFC 1985 §5 lists, with an enhanced code
     */
    Reply etrn(String argument, ClientInfo client);
}
