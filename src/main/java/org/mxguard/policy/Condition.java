package org.mxguard.policy;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One test in a rule. A rule's conditions are ANDed; a condition with several values matches when
 * any value does; {@code negated} turns the test around. Each condition knows the first stage at
 * which the session has the data it needs ({@link #knownAt()}); before that the rule does not match.
 */
public sealed interface Condition {

    boolean negated();

    Stage knownAt();

    /** The keyword and values as written in a rule file, without "not". */
    String body();

    /** As written in a rule file: "not client 192.0.2.53". */
    default String render() {
        return negated() ? "not " + body() : body();
    }

    /** The client's address lies in one of the networks. */
    record Client(boolean negated, List<Cidr> networks) implements Condition {
        public Client {
            networks = List.copyOf(networks);
        }

        @Override
        public Stage knownAt() {
            return Stage.CONNECT;
        }

        @Override
        public String body() {
            return "client " + join(networks);
        }
    }

    /** The client's forward-confirmed reverse name matches; never an unconfirmed ("unknown") name. */
    record ClientName(boolean negated, List<NamePattern> names) implements Condition {
        public ClientName {
            names = List.copyOf(names);
        }

        @Override
        public Stage knownAt() {
            return Stage.CONNECT;
        }

        @Override
        public String body() {
            return "client-name " + join(names);
        }
    }

    /** The HELO/EHLO argument matches. */
    record Helo(boolean negated, List<NamePattern> names) implements Condition {
        public Helo {
            names = List.copyOf(names);
        }

        @Override
        public Stage knownAt() {
            return Stage.HELO;
        }

        @Override
        public String body() {
            return "helo " + join(names);
        }
    }

    /** The reverse-path matches ({@code <>} for the null sender). */
    record Sender(boolean negated, List<AddressPattern> addresses) implements Condition {
        public Sender {
            addresses = List.copyOf(addresses);
        }

        @Override
        public Stage knownAt() {
            return Stage.MAIL;
        }

        @Override
        public String body() {
            return "from " + join(addresses);
        }
    }

    /** The forward-path being checked matches. */
    record Recipient(boolean negated, List<AddressPattern> addresses) implements Condition {
        public Recipient {
            addresses = List.copyOf(addresses);
        }

        @Override
        public Stage knownAt() {
            return Stage.RCPT;
        }

        @Override
        public String body() {
            return "to " + join(addresses);
        }
    }

    /**
     * The client is listed in a DNS block list (RFC 5782) with one of the answers, or with any
     * answer in 127.0.0.0/8 when none are given. Answers in 127.255.255.0/24 are errors (Spamhaus:
     * "query through a public resolver") and never count as a listing.
     */
    record Dnsbl(boolean negated, String zone, List<Cidr> answers) implements Condition {
        public Dnsbl {
            answers = List.copyOf(answers);
        }

        @Override
        public Stage knownAt() {
            return Stage.CONNECT;
        }

        @Override
        public String body() {
            return "listed-in " + zone + (answers.isEmpty() ? "" : "=" + join(answers));
        }
    }

    /** The client's confirmed name looks like an end-user (dial-up, DSL, cable, dynamic) address. */
    record Dynamic(boolean negated) implements Condition {
        @Override
        public Stage knownAt() {
            return Stage.CONNECT;
        }

        @Override
        public String body() {
            return "dynamic";
        }
    }

    private static String join(List<?> values) {
        return values.stream().map(Object::toString).collect(Collectors.joining(","));
    }
}
