# Sourced by scripts/test and .ci/run: the Debian packages the tests start as peers, and their install.
# One list, so the README's test command and CI can never disagree about what a test needs.
MXGUARD_TEST_PACKAGES="dnsmasq-base postfix swaks libnet-ssleay-perl pflogsumm fail2ban python3 redis-server nmap openssl postgrey prometheus chromium chromium-driver dpkg dpkg-dev lintian logrotate systemd coreutils util-linux binutils e2fsprogs mount"
# PowerLossIT's traced mode (-Dmxguard.powerloss.strace=true) traces mxguard's flushes and replies.
MXGUARD_TEST_PACKAGES="$MXGUARD_TEST_PACKAGES strace"

mxguard_install_test_packages() {
  local p missing="" sudo=""
  for p in $MXGUARD_TEST_PACKAGES; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
  done
  [ -n "$missing" ] || return 0
  command -v apt-get >/dev/null 2>&1 || {
    echo "mxguard tests: missing Debian packages:$missing (no apt-get here: install them by hand)" >&2
    return 1
  }
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || {
      echo "mxguard tests: missing Debian packages:$missing; run as root or install sudo" >&2
      return 1
    }
    sudo="sudo"
  fi
  echo "== installing the tests' peers:$missing"
  # Postfix asks debconf questions; answer them so the install never waits.
  echo "postfix postfix/main_mailer_type select No configuration" | $sudo debconf-set-selections
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
  # The test harness starts its own peers on loopback ports; the packaged services stay stopped.
  for p in postfix redis-server dnsmasq fail2ban postgrey; do
    $sudo service "$p" stop >/dev/null 2>&1 || true
  done
}
