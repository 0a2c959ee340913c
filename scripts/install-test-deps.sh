#!/usr/bin/env bash
# Installs the system packages the test suite drives for real:
#   chromium      — end-to-end calls in headless Chromium (playwright-core drives it;
#                   no browser is ever downloaded)
#   firefox-esr   — cross-engine calls (test/crossEngine/): Debian's Firefox ESR, driven by
#                   puppeteer-core over WebDriver BiDi (no browser is ever downloaded)
#   xvfb          — a virtual display for a headed Firefox: headless Firefox has no
#                   getDisplayMedia, so cross-engine screen share runs it under Xvfb
#   coturn        — the TURN relay for relay-only calls
#   redis-server  — scale-out across signaling nodes
#   janus         — the SFU for group calls (issue 17): tests start their own Janus
#                   (VideoRoom plugin, WebSocket transport) on loopback ports
#   iproute2, ethtool, python3-minimal
#                 — the lab network (test/lab/): namespaces and veth pairs (ip),
#                   checksum offload off on the veths (ethtool), and the user-space
#                   L2 bridge over AF_PACKET sockets (python3, standard library only)
# Debian/Ubuntu only; needs root or sudo. Packages already present are left alone.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -x /usr/bin/firefox-esr ] || need+=(firefox-esr)
[ -x /usr/bin/Xvfb ] || need+=(xvfb)
command -v turnserver >/dev/null 2>&1 || need+=(coturn)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
[ -x /usr/bin/janus ] || need+=(janus)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v ethtool >/dev/null 2>&1 || need+=(ethtool)
[ -x /usr/bin/python3 ] || need+=(python3-minimal)
# Chromium needs a font to render the UI in screenshots.
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)

if [ ${#need[@]} -eq 0 ]; then
  echo "test dependencies: chromium, firefox-esr, xvfb, coturn, redis-server, janus, iproute2, ethtool and python3 are installed"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-test-deps: please install ${need[*]} with your package manager (apt-get not found)" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "install-test-deps: run as root or install sudo to install: ${need[*]}" >&2
    exit 1
  fi
fi
echo "test dependencies: installing ${need[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# Debian starts the services it installs; the tests start their own instances on
# loopback with their own ports, so the system-wide ones are stopped to stay out of the way.
for svc in coturn redis-server janus; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
    $sudo systemctl stop "$svc" || true
  fi
done
echo "test dependencies: done"
