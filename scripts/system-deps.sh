#!/usr/bin/env bash
# Installs the Debian packages the tests need, when they are missing and we may install them:
#   dataset-fashion-mnist  the original Fashion-MNIST files, for machines without internet
#                          (companion.data copies them into the Keras cache);
#   chromium, chromium-driver, fonts-nanum  for the browser tests of the built book;
#   poppler-utils          pdftotext/pdfinfo, for the checks of the PDF edition.
# With internet and no root, nothing is required: Keras downloads the data itself.
set -euo pipefail

need=()
[ -d /usr/share/datasets/fashion-mnist ] || need+=(dataset-fashion-mnist)
if [ "${1:-}" != "--data-only" ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
  [ -d /usr/share/fonts/truetype/nanum ] || need+=(fonts-nanum)
  command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
fi

if [ ${#need[@]} -eq 0 ]; then
  echo "system-deps: nothing to install"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo="sudo -n"
  else
    echo "system-deps: missing ${need[*]} and not root; install them with apt-get" >&2
    exit 1
  fi
fi
echo "system-deps: installing ${need[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
