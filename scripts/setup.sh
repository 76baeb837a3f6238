# Sourced by scripts/serve and scripts/test: create .venv and install riskon into it once.
# The editable install is redone only when pyproject.toml changes (a stamp holds its hash), so a start takes
# about a second instead of pip's ~7 s.
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
  .venv/bin/pip install -q --upgrade pip
fi
stamp=".venv/.riskon-installed"
wanted="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  .venv/bin/pip install -q -e . && echo "$wanted" >"$stamp"
fi
