# Sourced by scripts/serve and scripts/test: create .venv and install riskon into it.
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
  .venv/bin/pip install -q --upgrade pip
fi
.venv/bin/pip install -q -e .
