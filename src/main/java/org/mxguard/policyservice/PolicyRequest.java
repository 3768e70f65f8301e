package org.mxguard.policyservice;

import java.net.InetAddress;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import org.mxguard.evidence.PrimaryContact;
import org.mxguard.mail.Domain;
import org.mxguard.mail.MailAddress;
import org.mxguard.policy.PolicyQuery;
import org.mxguard.policy.Stage;

/**
 * One policy delegation request: the attributes Postfix's smtpd sent, by name, as sent. Postfix
 * sends every attribute it knows, empty when it has no value (SMTPD_POLICY_README), so an empty
 * value and a missing one mean the same.
 *
 * @param attributes name to value
 */
record PolicyRequest(Map<String, String> attributes) {

    /** The only request type Postfix sends. */
    static final String SMTPD_ACCESS_POLICY = "smtpd_access_policy";

    /** The states in which Postfix's {@code sender} attribute is the envelope sender (before MAIL it is empty). */
    private static final Set<String> AFTER_MAIL = Set.of("MAIL", "RCPT", "DATA", "END-OF-MESSAGE");

    PolicyRequest {
        // The reader hands over a map it no longer touches: wrapping it spares a copy per request.
        attributes = Collections.unmodifiableMap(attributes);
    }

    /** The attribute's value, "" when absent. */
    String get(String name) {
        return attributes.getOrDefault(name, "");
    }

    String request() {
        return get("request");
    }

    /** CONNECT, EHLO, HELO, MAIL, RCPT, DATA, END-OF-MESSAGE, VRFY or ETRN. */
    String protocolState() {
        return get("protocol_state");
    }

    /** The client's address, or null when absent or not an IP address literal (never a DNS lookup). */
    InetAddress clientAddress() {
        String text = get("client_address");
        if (text.isEmpty()) {
            return null;
        }
        try {
            return InetAddress.ofLiteral(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * The client as the primary saw it, or null without a client address. {@code client_name} is
     * Postfix's forward-confirmed name ("unknown" otherwise), which is what a contact's name means;
     * {@code reverse_client_name}, unverified, is not used.
     */
    PrimaryContact contact(String primary, Instant at) {
        InetAddress client = clientAddress();
        if (client == null) {
            return null;
        }
        String helo = get("helo_name");
        boolean nullSender = AFTER_MAIL.contains(protocolState()) && get("sender").isEmpty();
        return new PrimaryContact(client, get("client_name"), helo.isEmpty() ? null : helo, nullSender, primary, at,
                PrimaryContact.Source.POLICY_SERVICE);
    }

    /**
     * The question to put to mxguard's policy, or null when the request cannot be asked: a state the
     * policy has no stage for (DATA, END-OF-MESSAGE, VRFY, ETRN), no client address, or an address
     * that is not a mailbox.
     */
    PolicyQuery query() {
        Stage stage = switch (protocolState()) {
            case "CONNECT" -> Stage.CONNECT;
            case "HELO", "EHLO" -> Stage.HELO;
            case "MAIL" -> Stage.MAIL;
            case "RCPT" -> Stage.RCPT;
            default -> null;
        };
        InetAddress client = clientAddress();
        if (stage == null || client == null) {
            return null;
        }
        String name = get("client_name");
        String helo = get("helo_name");
        MailAddress sender = null;
        MailAddress recipient = null;
        if (stage == Stage.MAIL || stage == Stage.RCPT) {
            sender = mailbox(get("sender"), true);
            if (sender == null) {
                return null;
            }
        }
        if (stage == Stage.RCPT) {
            recipient = mailbox(get("recipient"), false);
            if (recipient == null) {
                return null;
            }
        }
        return new PolicyQuery(stage, client, name.isEmpty() ? "unknown" : name, helo.isEmpty() ? null : helo,
                sender, recipient);
    }

    /** Postfix sends addresses without brackets, the null sender as "". */
    private static MailAddress mailbox(String text, boolean nullAllowed) {
        if (text.isEmpty()) {
            return nullAllowed ? MailAddress.NULL_SENDER : null;
        }
        int at = text.lastIndexOf('@');
        if (at <= 0 || at == text.length() - 1) {
            return null;
        }
        try {
            return new MailAddress(text.substring(0, at), Domain.parse(text.substring(at + 1)));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
