package org.mxguard.policy;

/**
 * The first rule of a rule set that matched a query.
 *
 * @param rule the rule's number in the set (file order)
 * @param ref where it was written
 * @param actsNow false when the rule matched but bites at a later stage (the session goes on, and
 *     no later rule may decide before it)
 * @param networkLength the prefix length of the client network the index found it under, or -1
 */
public record RuleMatch(int rule, RuleRef ref, boolean actsNow, int networkLength) {
}
