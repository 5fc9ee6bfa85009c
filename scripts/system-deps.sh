#!/usr/bin/env bash
# What the tests need from outside Python, checked (and installed where possible) before they run.
#
#   bash scripts/system-deps.sh data      Fashion-MNIST, for `make unit` and `make nbval`
#   bash scripts/system-deps.sh browser   Chromium, its driver and a Korean font, for `make browser`
#
# Each piece is found in this order, and only a piece that is truly missing fails the step:
#   data     1. already in the Keras cache ($KERAS_HOME or ~/.keras, datasets/fashion-mnist/);
#            2. the Debian package dataset-fashion-mnist (/usr/share/datasets/fashion-mnist;
#               companion.load_fashion_mnist() copies it into the cache);
#            3. the internet: downloaded into the cache now, as Keras would (no root needed);
#            4. installed with apt-get, when we are root or have passwordless sudo.
#   browser  installed with apt-get when possible (chromium, chromium-driver, fonts-nanum,
#            fonts-noto-color-emoji for the reports' ✅/❌, poppler-utils for the PDF checks);
#            otherwise the message says what is missing and how to get it.
# Without root, with internet: nothing to install for `make unit` and `make nbval`.
set -euo pipefail

what="${1:-data}"
PYTHON="${PYTHON:-python3}"
KERAS_DATA="${KERAS_HOME:-$HOME/.keras}/datasets/fashion-mnist"
DEBIAN_DATA="${DEBIAN_FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}"
FASHION_URL=https://storage.googleapis.com/tensorflow/tf-keras-datasets
FASHION_FILES=(train-labels-idx1-ubyte.gz train-images-idx3-ubyte.gz
  t10k-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz)

say() { echo "system-deps: $*"; }

# Prints "sudo -n", "" (root) or nothing and returns 1 when packages cannot be installed.
apt_prefix() {
  if [ "$(id -u)" -eq 0 ]; then
    echo ""
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    echo "sudo -n"
  else
    return 1
  fi
}

apt_install() {
  local prefix
  prefix="$(apt_prefix)" || return 1
  command -v apt-get >/dev/null 2>&1 || return 1
  say "installing $* with apt-get"
  $prefix apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $prefix apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

have_fashion_mnist() {
  local dir="$1" name
  for name in "${FASHION_FILES[@]}"; do
    [ -s "$dir/$name" ] || return 1
  done
}

download_fashion_mnist() {
  # The same four files, from the same place, that keras.datasets.fashion_mnist.load_data()
  # downloads; written under a temporary name so an interrupted download leaves no bad file.
  "$PYTHON" - "$KERAS_DATA" "$FASHION_URL" "${FASHION_FILES[@]}" <<'EOF'
import os, sys, urllib.request
target, url, names = sys.argv[1], sys.argv[2], sys.argv[3:]
os.makedirs(target, exist_ok=True)
for name in names:
    path = os.path.join(target, name)
    if os.path.exists(path) and os.path.getsize(path):
        continue
    with urllib.request.urlopen(f"{url}/{name}", timeout=30) as response:
        data = response.read()
    with open(path + ".part", "wb") as handle:
        handle.write(data)
    os.replace(path + ".part", path)
EOF
}

data() {
  if have_fashion_mnist "$KERAS_DATA"; then
    say "Fashion-MNIST: in the Keras cache ($KERAS_DATA)"
  elif have_fashion_mnist "$DEBIAN_DATA"; then
    say "Fashion-MNIST: from the Debian package ($DEBIAN_DATA)"
  elif download_fashion_mnist 2>/dev/null; then
    say "Fashion-MNIST: downloaded into $KERAS_DATA"
  elif apt_install dataset-fashion-mnist && have_fashion_mnist "$DEBIAN_DATA"; then
    say "Fashion-MNIST: installed the Debian package dataset-fashion-mnist"
  else
    cat >&2 <<EOF
system-deps: MISSING Fashion-MNIST. The unit tests and the notebooks read it; none of these worked:
  - the Keras cache $KERAS_DATA (empty),
  - the Debian package dataset-fashion-mnist ($DEBIAN_DATA: absent, and apt-get could not install it: no root, no sudo or no apt),
  - a download from $FASHION_URL (no internet).
Get it in one of these ways, then run make again:
  - on a machine with internet: copy the four files ${FASHION_FILES[*]}
    from $FASHION_URL/ into $KERAS_DATA/
  - as root: apt-get install dataset-fashion-mnist
EOF
    return 1
  fi
}

browser() {
  local need=()
  # $CHROMIUM and $CHROMEDRIVER name another Chrome build (tests/book/test_browser.py reads them).
  [ -x "${CHROMIUM:-}" ] || command -v chromium >/dev/null 2>&1 || need+=(chromium)
  [ -x "${CHROMEDRIVER:-}" ] || command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
  fc-list 2>/dev/null | grep -qi nanum || [ -d /usr/share/fonts/truetype/nanum ] || need+=(fonts-nanum)
  # The checkers' reports start with ✅/❌: without an emoji font Chromium (and so the PDF) draws boxes.
  fc-list 2>/dev/null | grep -qi "emoji" || need+=(fonts-noto-color-emoji)
  # pdftotext/pdfinfo read the PDF edition back in tests/book/test_pdf.py.
  command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
  if [ ${#need[@]} -eq 0 ]; then
    say "browser: chromium, chromedriver and a Korean font are installed"
    return 0
  fi
  if apt_install "${need[@]}"; then
    return 0
  fi
  cat >&2 <<EOF
system-deps: MISSING ${need[*]}. The browser tests (make browser) open the built book in headless
Chromium and check that Korean text is drawn with a Korean font; they cannot run without these.
Install them as root (Debian/Ubuntu):
  apt-get install ${need[*]}
or install Chromium and chromedriver of the same version and a Nanum font (e.g. NanumGothic in
~/.local/share/fonts) by hand. Every other step of make test runs without them.
EOF
  return 1
}

case "$what" in
  data) data ;;
  browser) browser ;;
  all) data && browser ;;
  *)
    echo "usage: $0 [data|browser|all]" >&2
    exit 2
    ;;
esac
