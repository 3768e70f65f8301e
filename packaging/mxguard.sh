#!/bin/sh
# /usr/bin/mxguard of the Debian package: runs mxguard on the Java runtime bundled with it
# (/usr/lib/mxguard/runtime, made by jlink; the jars in /usr/share/mxguard), so the server needs no JDK.
# Without -c, commands read $MXGUARD_CONFIG, else /etc/mxguard/mxguard.yaml.
usr=$(dirname "$(readlink -f "$0")")/..
# The user's collector (MXGUARD_JAVA_OPTS, /etc/default/mxguard for the service) wins: two would
# stop the JVM ("Multiple garbage collectors").
case " ${MXGUARD_JAVA_OPTS:-} " in
  *" -XX:+Use"*GC" "*) user_gc=1 ;;
  *) user_gc=0 ;;
esac
verb_opts=""
case "${1:-}" in
  # A batch job, so the throughput collector (see the checkout's launcher, ./mxguard, for the figures).
  analyze)
    verb_opts="-XX:-UseOnStackReplacement -XX:InlineSmallCode=1000"
    [ "$user_gc" = 1 ] || verb_opts="$verb_opts -XX:+UseParallelGC" ;;
  # ZGC keeps the policy service's p99 in milliseconds under bursts of new clients (./mxguard).
  serve) [ "$user_gc" = 1 ] || verb_opts="-XX:+UseZGC" ;;
esac
# shellcheck disable=SC2086 # the option lists are split into words on purpose
exec "$usr/lib/mxguard/runtime/bin/java" -XX:CompileCommand=quiet \
  "-XX:CompileCommand=MaxNodeLimit,com.google.thirdparty.publicsuffix.TrieParser::*,1000" \
  $verb_opts ${MXGUARD_JAVA_OPTS:-} -jar "$usr/share/mxguard/mxguard.jar" "$@"
