package org.mxguard.delivery;

import java.util.List;
import org.mxguard.mail.EnhancedStatus;

/** Where mail for one domain goes now: addresses to try in order, or why none. */
sealed interface Route {

    record Targets(List<Target> targets) implements Route {
        public Targets {
            targets = List.copyOf(targets);
        }
    }

    record Defer(EnhancedStatus status, String reason) implements Route {
    }

    record Bounce(EnhancedStatus status, String reason) implements Route {
    }
}
