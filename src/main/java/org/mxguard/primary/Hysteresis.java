package org.mxguard.primary;

/**
 * The state of one domain's primary as the probe sees it: a primary that is up is taken to be
 * down only after {@code downAfter} failed probes in a row, and back up only after
 * {@code upAfter} answered ones, so that one lost probe or one lucky one does not switch the
 * MX-skip rule off and on. The first probe decides at once: before it, nothing is known.
 *
 * <pre>
 * UNKNOWN --answer--> UP      UNKNOWN --failure--> DOWN
 * UP   --downAfter failures in a row--> DOWN
 * DOWN --upAfter answers in a row-----> UP
 * </pre>
 *
 * @param state the state now
 * @param streak probes in a row against the state (failures while UP, answers while DOWN)
 */
record Hysteresis(State state, int streak) {

    enum State { UNKNOWN, UP, DOWN }

    static final Hysteresis INITIAL = new Hysteresis(State.UNKNOWN, 0);

    Hysteresis next(boolean answered, int downAfter, int upAfter) {
        return switch (state) {
            case UNKNOWN -> new Hysteresis(answered ? State.UP : State.DOWN, 0);
            case UP -> answered ? new Hysteresis(State.UP, 0)
                    : streak + 1 >= downAfter ? new Hysteresis(State.DOWN, 0) : new Hysteresis(State.UP, streak + 1);
            case DOWN -> !answered ? new Hysteresis(State.DOWN, 0)
                    : streak + 1 >= upAfter ? new Hysteresis(State.UP, 0) : new Hysteresis(State.DOWN, streak + 1);
        };
    }
}
