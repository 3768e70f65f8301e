package org.mxguard.smtp;

/**
 * How often a client used one command in a session, as Postfix 3.x sums it up in its
 * {@code disconnect} line: {@code rcpt=1/3} means three RCPT commands of which one succeeded.
 *
 * @param name the command in lower case ("ehlo", "mail", "unknown")
 * @param succeeded how many got a 2xx or 3xx reply
 * @param total how many were sent
 */
public record CommandCount(String name, int succeeded, int total) {

    /** "rcpt=1" when all succeeded, else "rcpt=1/3". */
    public String render() {
        return name + "=" + (succeeded == total ? Integer.toString(total) : succeeded + "/" + total);
    }
}
