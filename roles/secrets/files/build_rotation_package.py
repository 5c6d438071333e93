# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Build the rotation Lambda's deployment package, byte for byte the same on every controller.

Usage::

    build_rotation_package.py --source DIR --dest ZIP --cache DIR [--ca-bundle PEM] [--python-version 3.12]

``--source`` holds ``lambda_function.py`` and ``requirements.txt`` (pinned, every dependency
listed). The dependencies are installed once per requirements file with
``pip install --target --no-deps --only-binary=:all:`` (pure-Python wheels for the Lambda
runtime's Python version) into ``--cache``/deps-<sha256 of requirements.txt>, and reused.

The zip holds ``lambda_function.py``, the dependencies and, with ``--ca-bundle``, the PEM file as
``rds-ca-bundle.pem``; entries are sorted, dated 1980-01-01 and have fixed permissions, without
``__pycache__``, so the same inputs give the same bytes and Lambda's ``CodeSha256`` stays the same
from one converge (or controller) to the next. ``--dest`` is written only when its bytes differ.

Prints one JSON object: ``{"changed": bool, "path": str, "code_sha256": str, "size": int}``;
``code_sha256`` is base64 of the zip's SHA-256, as Lambda's ``GetFunction`` reports it. Exits 1
with a message on stderr when pip fails (e.g. no access to the package index).
"""

import argparse
import base64
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
SKIP_DIRS = {"__pycache__"}
SKIP_SUFFIXES = (".pyc", ".pyo")


def install_dependencies(requirements, cache, python_version):
    """Install ``requirements`` into a cache folder named by its hash; return that folder."""
    with open(requirements, "rb") as handle:
        digest = hashlib.sha256(handle.read() + python_version.encode()).hexdigest()[:16]
    target = os.path.join(cache, f"deps-{digest}")
    if os.path.isdir(target):
        return target
    os.makedirs(cache, exist_ok=True)
    work = tempfile.mkdtemp(prefix="deps-", dir=cache)
    command = [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
        "--no-deps", "--only-binary=:all:", "--implementation", "py", "--python-version", python_version,
        "--target", work, "--requirement", requirements,
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        shutil.rmtree(work, ignore_errors=True)
        sys.stderr.write(f"pip could not install {requirements}:\n{done.stderr}")
        sys.exit(1)
    try:
        os.rename(work, target)
    except OSError:
        # Another build (a parallel converge or test worker) finished the same folder first:
        # its content is the same, keep it.
        shutil.rmtree(work, ignore_errors=True)
        if not os.path.isdir(target):
            raise
    return target


def package_files(source, deps, ca_bundle):
    """``[(name in the zip, path on disk)]``, sorted by name."""
    files = [("lambda_function.py", os.path.join(source, "lambda_function.py"))]
    if ca_bundle:
        files.append(("rds-ca-bundle.pem", ca_bundle))
    for root, dirs, names in os.walk(deps):
        dirs[:] = [name for name in dirs if name not in SKIP_DIRS]
        for name in names:
            if name.endswith(SKIP_SUFFIXES):
                continue
            path = os.path.join(root, name)
            files.append((os.path.relpath(path, deps).replace(os.sep, "/"), path))
    return sorted(files)


def build_zip(files):
    """The zip's bytes: fixed dates and permissions, entries in the given order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, path in files:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(path, "rb") as handle:
                archive.writestr(info, handle.read(), compresslevel=9)
    return buffer.getvalue()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--source", required=True)
    parser.add_argument("--dest", required=True)
    parser.add_argument("--cache", required=True)
    parser.add_argument("--ca-bundle", default="")
    parser.add_argument("--python-version", default="3.12")
    args = parser.parse_args(argv)

    deps = install_dependencies(os.path.join(args.source, "requirements.txt"), args.cache, args.python_version)
    data = build_zip(package_files(args.source, deps, args.ca_bundle))
    changed = True
    if os.path.exists(args.dest):
        with open(args.dest, "rb") as handle:
            changed = handle.read() != data
    if changed:
        os.makedirs(os.path.dirname(os.path.abspath(args.dest)), exist_ok=True)
        # A temporary file of this process's own, so two builds at once cannot mix their bytes.
        handle, temporary = tempfile.mkstemp(prefix=os.path.basename(args.dest) + ".", dir=os.path.dirname(os.path.abspath(args.dest)))
        with os.fdopen(handle, "wb") as output:
            output.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, args.dest)
    sha = base64.b64encode(hashlib.sha256(data).digest()).decode()
    print(json.dumps({"changed": changed, "path": os.path.abspath(args.dest), "code_sha256": sha, "size": len(data)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
