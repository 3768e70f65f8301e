#!/usr/bin/env bash
# The MX-skip simulation (docs/EVALUATION.md): a real Postfix primary reporting to mxguard's policy
# service, mxguard as the backup MX in enforce mode, legitimate Postfix and scripted MTAs, EMS-style
# spamware, dnsmasq; all on loopback, time-compressed; prints the table of results per phase.
#
# Usage: bench/simulate/run.sh [--minute S] [--up M] [--down M] [--partition M] [--scale X]
#                              [--short] [--json FILE] [--workdir DIR]     (--help for all)
# Needs root (Postfix instances) and the Debian peers in scripts/packages.sh.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
if [ -z "${MXGUARD_CMD:-}" ] && [[ " $* " != *" --help "* && " $* " != *" -h "* ]]; then
  "$root/mxguard" version >/dev/null   # builds the jar on first use, before the clock starts
fi
exec python3 "$root/bench/simulate/simulate.py" "$@"
