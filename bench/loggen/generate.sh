#!/usr/bin/env bash
# Writes synthetic backup-MX logs with a planted EMS-style campaign, and the primary MX's log.
# Usage: bench/loggen/generate.sh postfix|sendmail SIZE[K|M|G] BACKUP_LOG [PRIMARY_LOG [SEED [YEAR]]]
# The planted sources are listed in org.mxguard.loganalysis.gen.LogGenerator's class comment.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
. "$root/scripts/java-home.sh"
mxguard_find_java
if [ ! -f "$root/target/mxguard.jar" ] || [ -n "$(find "$root/src/main" -newer "$root/target/mxguard.jar" -print -quit)" ]; then
  (cd "$root" && mvn -B -q -DskipTests -Dcheckstyle.skip package) >&2
fi
exec "$JAVA_HOME/bin/java" -cp "$root/target/mxguard.jar:$root/target/lib/*" org.mxguard.loganalysis.gen.LogGenerator "$@"
