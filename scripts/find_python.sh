#!/usr/bin/env bash
# Print the path of a Python >= 3.12 (ansible-core 2.21 needs it), preferring 3.12, or fail
# with what to install.
# Looks at $PYTHON, then python3.14 .. python3.12 and python3 on PATH, then pyenv's versions.
set -euo pipefail

ok() {  # ok PYTHON EXACT -> exit 0 when it runs and is 3.12 (EXACT=1) or >= 3.12 (EXACT=0)
  "$1" -c "import sys; v = sys.version_info[:2]; sys.exit(0 if (v == (3, 12) if $2 else v >= (3, 12)) else 1)" >/dev/null 2>&1
}

candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
for v in 3.14 3.13 3.12; do
  p=$(command -v "python$v" 2>/dev/null || true)
  [ -n "$p" ] && candidates+=("$p")
done
p=$(command -v python3 2>/dev/null || true)
[ -n "$p" ] && candidates+=("$p")
pyenv_root=${PYENV_ROOT:-$HOME/.pyenv}
if [ -d "$pyenv_root/versions" ]; then
  # newest first; only plain CPython versions (3.X.Y)
  while IFS= read -r d; do
    candidates+=("$pyenv_root/versions/$d/bin/python3")
  done < <(ls "$pyenv_root/versions" | grep -E '^3\.[0-9]+\.[0-9]+$' | sort -t. -k1,1nr -k2,2nr -k3,3nr)
fi

# 3.12 first (the version the pins in constraints.txt were made with), then any newer one.
# A pyenv shim fails when the selected version lacks the command; ok() catches that.
for exact in 1 0; do
  for c in "${candidates[@]}"; do
    if ok "$c" "$exact"; then
      "$c" -c 'import sys; print(sys.executable)'
      exit 0
    fi
  done
done
echo "No Python >= 3.12 found (tried: ${candidates[*]:-nothing})." >&2
echo "Install one (Debian: apt-get install python3.12, or pyenv install 3.12) or set PYTHON=/path/to/python3.12." >&2
exit 1
