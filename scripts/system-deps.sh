#!/usr/bin/env bash
# Ensure the system packages the site needs: a CJK font (social cards), Node.js with npm (pinned
# front-end packages from package-lock.json) and, for tests, Chromium.
# Uses apt-get where it exists; elsewhere stops with one line saying what to install.
set -euo pipefail
want_browser=0
[ "${1:-}" = "--browser" ] && want_browser=1

have_cjk_font() {
  command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh 2>/dev/null | head -n 1)" ] && return 0
  ls /usr/share/fonts/opentype/noto/NotoSansCJK-*.ttc >/dev/null 2>&1 && return 0
  ls /Library/Fonts/NotoSansCJK*.tt* /System/Library/Fonts/PingFang.ttc >/dev/null 2>&1 && return 0
  return 1
}
have_browser() { [ -x "${CHROMIUM:-/usr/bin/chromium}" ]; }
have_npm() { command -v npm >/dev/null 2>&1 && command -v node >/dev/null 2>&1; }

missing=()
have_cjk_font || missing+=(fonts-noto-cjk)
have_npm || missing+=(nodejs npm)
if [ "$want_browser" = 1 ] && ! have_browser; then missing+=(chromium); fi
[ ${#missing[@]} -eq 0 ] && exit 0

if command -v apt-get >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo="sudo"
  echo "正在安装系统软件包：${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" fontconfig >/dev/null
  exit 0
fi
case " ${missing[*]} " in
  *" npm "*) echo "缺少 Node.js 和 npm：请安装 Node.js 20 或更高版本（macOS：brew install node）。" >&2 ;;
  *" chromium "*) echo "缺少 Chromium：请安装 Chromium（macOS：brew install --cask chromium），并用 CHROMIUM=/path/to/chromium 指明它的位置。" >&2 ;;
  *) echo "缺少中文字体：请安装 Noto Sans CJK（macOS：brew install --cask font-noto-sans-cjk）。" >&2 ;;
esac
exit 1
