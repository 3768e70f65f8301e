#!/usr/bin/env bash
# Builds the Debian package target/mxguard_VERSION_ARCH.deb: mxguard's jar and libraries, a Java
# runtime made by jlink (so the server needs no JDK), /usr/bin/mxguard, a hardened systemd unit, the
# configuration as conffiles under /etc/mxguard, logrotate, and the documentation.
#
#   packaging/build-deb.sh             builds the jar first (mvn package), then the package
#   packaging/build-deb.sh --no-build  packages target/mxguard.jar and target/lib as they are
#
# Needs JDK 25 (for jlink), dpkg-deb and dpkg-shlibdeps (dpkg-dev). Prints the package's path last.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
here="$root/packaging"
. "$root/scripts/java-home.sh"
mxguard_find_java

if [ "${1:-}" != --no-build ]; then
  (cd "$root" && mvn -B -q -DskipTests -Dcheckstyle.skip package) >&2
fi
jar="$root/target/mxguard.jar"
[ -f "$jar" ] && [ -d "$root/target/lib" ] || { echo "build-deb: $jar or target/lib missing" >&2; exit 1; }

upstream=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' "$root/pom.xml" | head -1)
# 0.1.0-SNAPSHOT -> 0.1.0~snapshot (sorts before 0.1.0), plus the commit count when in git.
version=${upstream%-SNAPSHOT}
if [ "$version" != "$upstream" ]; then
  count=$(git -C "$root" rev-list --count HEAD 2>/dev/null || true)
  version="$version~snapshot${count:+.$count}"
fi
arch=$(dpkg --print-architecture)
out="$root/target/deb"
stage="$out/mxguard_${version}_${arch}"
rm -rf "$out"   # the packages of earlier builds too: the last line printed is the only one
mkdir -p "$stage/DEBIAN"

# Java code (architecture-independent) under /usr/share/mxguard, the runtime under /usr/lib/mxguard.
share="$stage/usr/share/mxguard"
mkdir -p "$share/lib"
cp "$jar" "$share/mxguard.jar"
cp "$root"/target/lib/*.jar "$share/lib/"

# The runtime: the modules the jars use (jdeps), and DNS for JNDI, which a service lookup reaches
# without a static reference. Not java.desktop: only H2's GUI tools and Micrometer's Log4j2 binder
# use it, neither of which mxguard loads, and it would bring AWT with its own freetype, libjpeg and
# lcms2. The default CDS archive makes the JDK's own classes start faster.
modules=$("$JAVA_HOME/bin/jdeps" --ignore-missing-deps --print-module-deps --multi-release 25 \
  --class-path "$root/target/lib/*" "$jar" "$root"/target/lib/*.jar 2>/dev/null | tail -1)
modules=$(echo "$modules,jdk.naming.dns" | tr , '\n' | grep -vx java.desktop | paste -sd,)
runtime="$stage/usr/lib/mxguard/runtime"
"$JAVA_HOME/bin/jlink" --add-modules "$modules" \
  --strip-debug --no-header-files --no-man-pages --compress=zip-6 --generate-cds-archive \
  --output "$runtime"
# As dh_strip does: no symbol tables or notes in the native code (lintian: unstripped-binary-or-object).
mapfile -t natives < <(find "$runtime" -type f \( -name '*.so' -o -path '*/bin/*' -o -name jspawnhelper -o -name jexec \) \
  -exec sh -c 'head -c 4 "$1" | grep -q ELF' _ {} \; -print)
strip --strip-unneeded --remove-section=.comment --remove-section=.note "${natives[@]}"
chmod -R u+w,go-w,a+rX "$runtime"
find "$runtime" -type f ! -perm -u+x -exec chmod 0644 {} +

install -D -m 0755 "$here/mxguard.sh" "$stage/usr/bin/mxguard"
install -d "$stage/usr/share/man/man1"
gzip -9n < "$here/mxguard.1" > "$stage/usr/share/man/man1/mxguard.1.gz"
install -D -m 0644 "$here/mxguard.yaml" "$stage/etc/mxguard/mxguard.yaml"
install -D -m 0644 "$here/access.rules" "$stage/etc/mxguard/access.rules"
install -D -m 0644 "$here/mxguard.default" "$stage/etc/default/mxguard"
install -D -m 0644 "$here/logrotate" "$stage/etc/logrotate.d/mxguard"
install -D -m 0644 "$here/mxguard.service" "$stage/lib/systemd/system/mxguard.service"
install -D -m 0644 "$here/debian/lintian-overrides" "$stage/usr/share/lintian/overrides/mxguard"

doc="$stage/usr/share/doc/mxguard"
install -D -m 0644 "$here/debian/copyright" "$doc/copyright"
install -m 0644 "$root/README.md" "$root"/docs/*.md "$doc/"
{
  echo "mxguard ($version) unstable; urgency=medium"
  echo
  echo "  * Built from the mxguard repository ($(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo 'no git'))."
  echo
  echo " -- mxguard developers <mxguard@example.org>  $(date -R -d "@${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s)}")"
} > "$doc/changelog"
# Debian policy 12.3: documentation and the changelog compressed (the copyright file is not).
find "$doc" -type f ! -name copyright -exec gzip -9n {} +

for script in postinst prerm postrm; do
  install -m 0755 "$here/debian/$script" "$stage/DEBIAN/$script"
done
(cd "$stage" && find etc -type f | sed 's:^:/:' | sort) > "$stage/DEBIAN/conffiles"
(cd "$stage" && find usr lib -type f -print0 | sort -z | xargs -0 md5sum) > "$stage/DEBIAN/md5sums"

# Shared-library dependencies of the runtime's native code, as dpkg-shlibdeps computes them.
shlib_dir=$(mktemp -d)
mkdir "$shlib_dir/debian"
printf 'Source: mxguard\n\nPackage: mxguard\nArchitecture: any\n' > "$shlib_dir/debian/control"
shlibs=$(cd "$shlib_dir" && dpkg-shlibdeps -O --warnings=0 "${natives[@]/#/-e}" 2>/dev/null \
  | sed -n 's/^shlibs:Depends=//p')
rm -rf "$shlib_dir"

cat > "$stage/DEBIAN/control" <<CONTROL
Package: mxguard
Version: $version
Architecture: $arch
Maintainer: mxguard developers <mxguard@example.org>
Installed-Size: $(du -sk --exclude=DEBIAN "$stage" | cut -f1)
Depends: adduser, init-system-helpers (>= 1.52), ${shlibs}
Recommends: logrotate
Section: mail
Priority: optional
Description: backup MX relay that refuses spam skipping the primary MX
 mxguard accepts mail for the domains it protects, keeps it on disk and
 forwards it to their primary MX hosts when they answer. It refuses, with a
 temporary error, the clients that come to the backup MX without having tried
 the primary (spam software that abuses backup MX hosts), blocks the networks
 they come from for a while, shares what it learns across a fleet through
 Redis, and logs in Postfix's format so pflogsumm and fail2ban read its log.
 .
 The package bundles its own Java runtime.
CONTROL

deb="$out/mxguard_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zgzip --build "$stage" "$deb" >&2
echo "$deb"
