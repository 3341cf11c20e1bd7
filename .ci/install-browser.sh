#!/usr/bin/env bash
# Installs Debian's Chromium and its driver for the real-browser suite (tests/browser) when
# either is missing; does nothing when both are there. The suite drives exactly these two
# binaries: nothing downloads a browser of its own.
set -euo pipefail

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    echo "chromium and chromedriver already installed"
    exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update
$sudo apt-get install -y chromium chromium-driver

/usr/bin/chromedriver --version
