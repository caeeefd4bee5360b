#!/bin/sh
# Install the Debian packages the test suite drives for real: chromium (the
# headless browser for page tests), ffmpeg (for ffprobe; the pipeline itself
# falls back to the imageio-ffmpeg binary), espeak-ng (generated speech for the
# transcription tests), fonts-dejavu-core (the text drawn in video clips) and
# mpv (a real player reading the MP3s' ID3 chapters; 11 small packages).
# Skips what is already there.
set -eu
need=""
command -v chromium >/dev/null 2>&1 || need="$need chromium"
command -v ffprobe >/dev/null 2>&1 || need="$need ffmpeg"
command -v espeak-ng >/dev/null 2>&1 || need="$need espeak-ng"
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need="$need fonts-dejavu-core"
command -v mpv >/dev/null 2>&1 || need="$need mpv"
[ -z "$need" ] && exit 0
if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
  echo "warning: cannot install$need (not root, no sudo); tests that need them will be skipped" >&2
  exit 0
fi
echo "installing Debian packages:$need"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $need >/dev/null
