#!/usr/bin/env bash
# system-deps.sh: make sure the Debian/Ubuntu packages embviz needs are present.
# Mesa's EGL/GL (software rendering when there is no GPU), Xvfb and xdotool for the window tests,
# fonts with Latin/Greek/Cyrillic, CJK and emoji glyphs (text is drawn through a fallback chain).
# As root it installs what is missing with apt-get; otherwise it prints the command to run.
set -euo pipefail

missing=()

have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
have_cmd() { command -v "$1" >/dev/null 2>&1; }
have_glyph() { [[ -n $(fc-list ":charset=$1" file 2>/dev/null) ]]; }

have_lib 'libEGL.so.1' || missing+=(libegl1)
have_lib 'libGL.so.1' || missing+=(libgl1)
have_lib 'libEGL_mesa.so.0' || missing+=(libegl-mesa0)
compgen -G '/usr/lib/*/dri/swrast_dri.so' >/dev/null || compgen -G '/usr/lib/*/dri/libdril_dri.so' \
  >/dev/null || missing+=(libgl1-mesa-dri)
have_cmd Xvfb || missing+=(xvfb)
have_cmd xauth || missing+=(xauth)
have_cmd xdotool || missing+=(xdotool)
have_cmd import || missing+=(imagemagick)  # `import` takes the screenshot in tests/cli/test_live.py
have_cmd fc-list || missing+=(fontconfig)
[[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]] || missing+=(fonts-dejavu-core)
have_glyph 4e2d || missing+=(fonts-droid-fallback)     # 中: any CJK font will do
have_glyph 1f642:color=true || missing+=(fonts-noto-color-emoji)  # 🙂 in colour
# Debian keeps the venv module's pip bootstrap (ensurepip) in python3-venv.
python3 -c 'import ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)

if ((${#missing[@]} == 0)); then
  exit 0
fi

if [[ $(id -u) -eq 0 ]] && have_cmd apt-get; then
  echo "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi

echo "embviz needs these Debian packages: ${missing[*]}" >&2
echo "install them with:  sudo apt-get install -y ${missing[*]}" >&2
exit 1
