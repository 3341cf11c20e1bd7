#!/usr/bin/env bash
# Installs the real-browser suite's engines (tests/browser) from Debian when any is missing:
# Chromium with its driver, and Firefox ESR (driven over WebDriver BiDi, so no geckodriver).
# Does nothing when all three are there. The suite drives exactly these binaries: nothing
# downloads a browser of its own.
set -euo pipefail

packages=()
[ -x /usr/bin/chromium ] || packages+=(chromium)
[ -x /usr/bin/chromedriver ] || packages+=(chromium-driver)
[ -x /usr/bin/firefox-esr ] || packages+=(firefox-esr)

if [ "${#packages[@]}" -eq 0 ]; then
    echo "chromium, chromedriver and firefox-esr already installed"
    exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update
$sudo apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=300 "${packages[@]}"

/usr/bin/chromedriver --version
/usr/bin/firefox-esr --version
