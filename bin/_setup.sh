# Sourced by bin/run and bin/test: find Python >= 3.12, make .venv, install the project.
# Nothing here needs a network except the first `pip install` (PyPI).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

py_ok() {  # true when "$@" runs a Python >= 3.12
  "$@" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}

find_python() {
  local cand v
  for cand in python3.13 python3.12 python3 python; do
    if command -v "$cand" >/dev/null 2>&1 && py_ok "$cand"; then echo "$(command -v "$cand")"; return 0; fi
  done
  # pyenv keeps other versions out of PATH: look in its versions folder, newest first.
  if command -v pyenv >/dev/null 2>&1 || [ -d "${PYENV_ROOT:-$HOME/.pyenv}/versions" ]; then
    local root="${PYENV_ROOT:-$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")}"
    for v in $(ls -1 "$root/versions" 2>/dev/null | grep -E '^3\.[0-9]+\.[0-9]+$' | sort -t. -k1,1n -k2,2n -k3,3n -r); do
      cand="$root/versions/$v/bin/python3"
      if [ -x "$cand" ] && py_ok "$cand"; then echo "$cand"; return 0; fi
    done
  fi
  return 1
}

# pgserver's platformdirs wants a runtime directory; keep one inside the project.
if [ -z "${XDG_RUNTIME_DIR:-}" ]; then
  mkdir -p "$ROOT/var/run" && chmod 700 "$ROOT/var/run"
  export XDG_RUNTIME_DIR="$ROOT/var/run"
fi

VENV="$ROOT/.venv"
if [ ! -x "$VENV/bin/python" ] || ! py_ok "$VENV/bin/python"; then
  if ! PY="$(find_python)"; then
    echo "error: this project needs Python 3.12 or newer, and none was found on PATH or in pyenv." >&2
    echo "       Install one (e.g. 'pyenv install 3.12' or 'apt-get install python3.12 python3.12-venv') and run again." >&2
    exit 1
  fi
  echo "setup: making .venv with $PY ($("$PY" --version 2>&1))"
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
fi

# Reinstall only when pyproject.toml changed since the last install.
STAMP="$VENV/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$STAMP" ]; then
  echo "setup: installing dependencies into .venv"
  # (Some machines' pip configuration names local indexes that are absent: drop that noise.)
  "$VENV/bin/python" -m pip install --disable-pip-version-check -q --upgrade pip 2>&1 \
    | grep -v "^WARNING: Location" || true
  "$VENV/bin/python" -m pip install --disable-pip-version-check -q -e ".[test]" 2>&1 \
    | grep -v -e "^WARNING: Location" || true
  "$VENV/bin/python" -c "import django, psycopg, pgserver, pytest, pyx12" || {
    echo "error: installing the project's dependencies failed (see above)" >&2; exit 1; }
  rm -f "$VENV"/.installed-*
  touch "$STAMP"
fi
PYTHON="$VENV/bin/python"
export PYTHONDONTWRITEBYTECODE=1
