# Sourced by ./supportdesk. Creates the two runtimes from the lock files:
#   .venv       Python 3.11: the project (gateway, knowledge engine, actions, tests)
#   .venv-rasa  Python 3.10: the Rasa 3.6 server, which refuses Python 3.11
# Idempotent: a runtime whose lock file (and, for .venv, pyproject.toml) is unchanged is left alone.

find_python() {  # find_python 3.10 -> prints a working interpreter of exactly that version
  local want=$1 cand root
  root=$(pyenv root 2>/dev/null || true)
  for cand in "$(command -v "python$want" 2>/dev/null || true)" ${root:+"$root"/versions/"$want".*/bin/python"$want"}; do
    # pyenv shims exist on PATH even when they cannot run, so try each one.
    if [ -n "$cand" ] && [ -x "$cand" ] &&
      "$cand" -c "import sys; sys.exit(sys.version_info[:2] != tuple(map(int, '$want'.split('.'))))" 2>/dev/null; then
      echo "$cand"
      return 0
    fi
  done
  return 1
}

ensure_runtime() {  # ensure_runtime DIR PYTHON LOCK [extra files whose change means reinstall]
  local dir=$1 python=$2 lock=$3 stamp want
  shift 3
  stamp="$dir/.supportdesk-installed"
  want=$(cat "$lock" "$@" | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  echo "supportdesk: installing $dir from $lock (first run or changed lock; takes a few minutes)" >&2
  [ -x "$dir/bin/python" ] || "$python" -m venv "$dir"
  # The machine's pip config lists local wheel folders; pip's notes about the missing ones are noise.
  "$dir/bin/pip" install --quiet --disable-pip-version-check -r "$lock" 2> >(grep -v "is ignored: it is neither" >&2)
  if [ "$dir" = ".venv" ]; then
    "$dir/bin/pip" install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e . 2> >(grep -v "is ignored: it is neither" >&2)
  fi
  echo "$want" >"$stamp"
}

setup_runtimes() {
  local py310 py311
  py310=$(find_python 3.10) || {
    echo "supportdesk: Rasa 3.6 needs Python 3.10: install it (pyenv install 3.10, or your OS's python3.10) and run this again." >&2
    return 1
  }
  py311=$(find_python 3.11) || {
    echo "supportdesk: the project needs Python 3.11: install it (pyenv install 3.11, or your OS's python3.11) and run this again." >&2
    return 1
  }
  ensure_runtime .venv-rasa "$py310" requirements/rasa.lock
  ensure_runtime .venv "$py311" requirements/project.lock pyproject.toml
}

ensure_chromium() {  # the browser tests drive Debian's Chromium (Playwright cannot download browsers here)
  [ -x /usr/bin/chromium ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "supportdesk: installing Debian's chromium for the browser tests" >&2
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; then
      apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    fi
    return $?
  fi
  echo "supportdesk: the browser tests need Chromium at /usr/bin/chromium: sudo apt-get install chromium" >&2
  return 1
}
