#!/usr/bin/env bash
# Installs the Debian packages Pleura builds and tests against, when any is missing.
# As root it runs apt-get; otherwise it prints the exact command and stops.
set -euo pipefail
packages=(libsqlite3-dev libavformat-dev libavcodec-dev libswscale-dev libavutil-dev
  libopenblas-dev libarchive-dev libdcmtk-dev pkg-config)
# The ffmpeg CLI and DCMTK's tools (dump2dcm, dcmconv, dcmcjpeg, dcmcrle, dcmcjpls, dcmodify,
# dcmmkdir, dcmdump) are only independent tools for test fixtures and benchmarks; zsh and fish
# check the syntax of the completion scripts `pleura --generate-completion-script` writes;
# Chromium and its WebDriver run the workbench's browser test (Tests/browser/workbench.py).
[ "${1:-}" = "--with-test-tools" ] && packages+=(ffmpeg dcmtk zsh fish chromium chromium-driver)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

command="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "setup: missing Debian packages: ${missing[*]}" >&2
  echo "setup: run as root:  apt-get update && $command" >&2
  exit 1
fi
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
