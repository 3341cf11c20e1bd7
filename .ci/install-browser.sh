#!/usr/bin/env bash
# Installs the real-browser suite's engines (tests/browser) from Debian when any is missing:
# Chromium with its driver, Firefox ESR (driven over WebDriver BiDi, so no geckodriver),
# WebKitGTK's WebKitWebDriver with its MiniBrowser and the Xvfb it draws on, and nginx for the
# shared-cache test (tests/integration/test_nginx_cache.py). Does nothing when all are there.
# The suites drive exactly these binaries: nothing downloads a browser of its own.
set -euo pipefail

packages=()
[ -x /usr/bin/chromium ] || packages+=(chromium)
[ -x /usr/bin/chromedriver ] || packages+=(chromium-driver)
[ -x /usr/bin/firefox-esr ] || packages+=(firefox-esr)
[ -x /usr/bin/WebKitWebDriver ] || packages+=(webkit2gtk-driver)
[ -x /usr/bin/Xvfb ] || packages+=(xvfb)
[ -x /usr/sbin/nginx ] || packages+=(nginx)

if [ "${#packages[@]}" -eq 0 ]; then
    echo "chromium, chromedriver, firefox-esr, WebKitWebDriver, Xvfb and nginx already installed"
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
/usr/sbin/nginx -v
