#!/usr/bin/env bash
# Best effort: the Python packages tests use as tools nobody here wrote, in benchmarks/.venv:
# bagit and rocrate check bundles; pydicom (with numpy) decodes the DICOM files Pleura writes,
# and its wheel and deid-data's ship the public ultrasound DICOM test files; Selenium (with
# Pillow to check its screenshots) drives Chromium in the workbench's browser test. Without them
# those tests skip with a message, so a machine without PyPI still passes `make test` (the
# browser test needs them wherever Chromium is installed).
set -u
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/benchmarks/.venv"
packages=(bagit rocrate pydicom==3.0.2 deid-data==0.0.20 numpy selenium pillow)
check='import bagit, rocrate, numpy, pydicom, deid_data, selenium, PIL; assert pydicom.__version__ == "3.0.2"'
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "$check" 2>/dev/null; then exit 0; fi
if python3 -m venv "$venv" >/dev/null 2>&1 && timeout 300 "$venv/bin/pip" install -q "${packages[@]}" >/dev/null 2>&1; then
  echo "setup: ${packages[*]} installed in benchmarks/.venv" >&2
else
  # The browser test does not skip where Chromium is installed (so that CI cannot pass without a
  # browser run): say so, since that test will then fail for want of Selenium.
  if command -v chromium >/dev/null 2>&1; then
    echo "setup: could not install ${packages[*]} from PyPI; the bundle and DICOM tests that need them will be skipped, and the browser test will fail (Chromium is installed, Selenium is not)" >&2
  else
    echo "setup: could not install ${packages[*]} from PyPI; the tests that need them will be skipped" >&2
  fi
fi
# Opt-in, because PyPI's Linux torch is about 4 GB: `PLEURA_WITH_TORCH=1 make test` also makes the
# torch-resnet3d plugin's venv, and its tests (PyTorch parity, the plugin end to end) then run.
if [ -n "${PLEURA_WITH_TORCH:-}" ]; then
  "$root/plugins/torch-resnet3d/setup-venv.sh" ||
    echo "setup: could not make the torch-resnet3d venv; its tests will be skipped" >&2
fi
exit 0
