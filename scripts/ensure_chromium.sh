#!/bin/sh
# Make sure a headless Chromium (and a CJK font, for the zh-CN report) is
# available for the HTML report's rendering test. Idempotent: does nothing
# when both are installed. Installs Debian's packages when run as root on a
# Debian/Ubuntu system; otherwise says what to do and exits 0, so `make test`
# still runs (the rendering test then fails with the same advice rather than
# passing silently).
set -eu
have_browser() {
    command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1
}
have_font() {
    [ -e /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || fc-list :lang=zh 2>/dev/null | grep -q .
}
if have_browser && have_font; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure_chromium: installing Debian's chromium and a CJK font for the HTML report test"
    install() {
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
            chromium fonts-wqy-zenhei >/dev/null
    }
    install || { apt-get update >/dev/null && install; }
    exit 0
fi
echo "ensure_chromium: install chromium and a CJK font (Debian: sudo apt-get install chromium fonts-wqy-zenhei)" >&2
exit 0
