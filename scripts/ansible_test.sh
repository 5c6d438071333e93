#!/usr/bin/env bash
# Run ansible-test (sanity by default) on a copy of the collection laid out as
# <tmp>/ansible_collections/medtech/aws_platform, which ansible-test requires.
#   scripts/ansible_test.sh sanity [extra ansible-test args]
# The copy holds the files git knows (tracked and untracked-but-not-ignored), so it tests the
# working tree as it is. ansible-test's own sanity requirements are installed into a
# separate venv that ansible-test manages (--venv), not into .venv.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv_bin="$root/.venv/bin"
command=${1:-sanity}
shift || true

work="$root/.emulator/ansible-test"
dest="$work/ansible_collections/medtech/aws_platform"
rm -rf "$dest"
mkdir -p "$dest"
# git ls-files: tracked + untracked not ignored. Left out: the link back to the root, and
# scripts/ (developer tooling, not part of the collection: galaxy.yml build_ignore).
(cd "$root" && git ls-files -z --cached --others --exclude-standard) \
  | grep -zvE '^(collections/ansible_collections|scripts/)' \
  | (cd "$root" && rsync -a --from0 --files-from=- ./ "$dest/")
# The collections we depend on, beside ours, as ansible-test expects them.
site=$("$venv_bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
for ns in amazon community; do
  ln -sfn "$site/ansible_collections/$ns" "$work/ansible_collections/$ns"
done
# ansible-test uses git to list files when it finds a repository; give it one.
(cd "$dest" && git init -q && git add -A >/dev/null)

# ansible-test bootstraps pip in its venvs with a get-pip.py it downloads from a host outside
# the package registries; where that host is unreachable, the offline stand-in beside this
# script does the same from the interpreter's bundled pip and PyPI. It goes where
# ansible-test looks for its cached copy (ansible_test/_util/target/setup/requirements.py).
pip_version=$("$venv_bin/python" -c 'import re, ansible_test, pathlib; src = (pathlib.Path(ansible_test.__file__).parent / "_internal/python_requirements.py").read_text(); print(re.search(r"pip=.([0-9.]+).", src).group(1))')
get_pip="$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
if [ ! -s "$get_pip" ]; then
  mkdir -p "$(dirname "$get_pip")"
  cp "$root/scripts/ansible_test_get_pip.py" "$get_pip"
fi

cd "$dest"
export PATH="$venv_bin:$PATH"
exec "$venv_bin/ansible-test" "$command" --python 3.12 --venv --color no "$@"
