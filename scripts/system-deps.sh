#!/usr/bin/env bash
# Install the Debian packages that the browser tests need, only when they are missing.
# Chromium comes from Debian (a test tool's own browser download cannot reach its host here);
# fonts-noto-cjk is needed or Chinese text renders as boxes in screenshots (and in the
# briefings' charts and PDFs). LibreOffice Writer (headless, no GUI) converts the briefings'
# .docx to PDF; poppler-utils' pdftoppm renders those PDFs to PNG for the report tests.
# redis-server: the scale-out tests start a private instance (tests/support/redis_server.py).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need+=(fonts-noto-cjk)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
if [ ${#need[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
    echo "error: missing Debian packages ${need[*]} and not root; install them: apt-get install ${need[*]}" >&2
    exit 1
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "installing Debian packages: ${need[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
