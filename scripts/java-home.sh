# Sourced by ./mxguard and scripts/test: finds a JDK 25 or newer and exports JAVA_HOME.
# Order: $JAVA_HOME if it is 25+, then the JVMs under /usr/lib/jvm (newest first), then `java` on PATH.

mxguard_java_version() {
  # Prints the feature version (25) of the java binary given as $1, or nothing. A JDK's release
  # file says it without starting a JVM (which costs a launch 70 ms); without one, java is asked.
  local release
  release="$(dirname "$(dirname "$1")")/release"
  if [ -f "$release" ]; then
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release" | head -n 1
    return 0
  fi
  "$1" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

mxguard_find_java() {
  local candidate version
  for candidate in ${JAVA_HOME:+"$JAVA_HOME"} $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV) \
                   $(command -v java >/dev/null 2>&1 && dirname "$(dirname "$(readlink -f "$(command -v java)")")"); do
    candidate=${candidate%/}
    [ -x "$candidate/bin/java" ] || continue
    version=$(mxguard_java_version "$candidate/bin/java")
    if [ -n "$version" ] && [ "$version" -ge 25 ]; then
      export JAVA_HOME="$candidate"
      return 0
    fi
  done
  echo "mxguard: needs a JDK 25 or newer; none found in \$JAVA_HOME, /usr/lib/jvm or on PATH." >&2
  echo "mxguard: install one (for example Temurin 25) and set JAVA_HOME to it." >&2
  return 1
}
