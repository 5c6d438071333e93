"""roles/secrets/files/build_rotation_package.py: the rotation function's package is the same
bytes for the same sources (so Lambda's CodeSha256, and a converge, do not change), and it runs."""

import base64
import hashlib
import json
import subprocess
import sys
import zipfile

import pytest

from conftest import REPO_ROOT

# `make pytest` runs two xdist workers; this group keeps the file's tests on one, in order.
pytestmark = pytest.mark.xdist_group("rotation_package")

SCRIPT = REPO_ROOT / "roles/secrets/files/build_rotation_package.py"
SOURCE = REPO_ROOT / "roles/secrets/files/rotation"


def build(dest, cache, *extra):
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--source", str(SOURCE), "--dest", str(dest), "--cache", str(cache), *extra],
        capture_output=True, text=True, check=False, timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("rotation-cache")


def test_same_sources_same_bytes(tmp_path, cache):
    first = build(tmp_path / "a.zip", cache)
    second = build(tmp_path / "b.zip", cache)
    again = build(tmp_path / "a.zip", cache)
    data = (tmp_path / "a.zip").read_bytes()
    assert data == (tmp_path / "b.zip").read_bytes()
    assert first["changed"] and second["changed"] and not again["changed"]
    assert first["code_sha256"] == base64.b64encode(hashlib.sha256(data).digest()).decode() == again["code_sha256"]


def test_package_contents(tmp_path, cache):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\nnot a real one\n-----END CERTIFICATE-----\n")
    result = build(tmp_path / "r.zip", cache, "--ca-bundle", str(bundle))
    with zipfile.ZipFile(result["path"]) as archive:
        names = archive.namelist()
        infos = archive.infolist()
        assert archive.read("lambda_function.py") == (SOURCE / "lambda_function.py").read_bytes()
        assert archive.read("rds-ca-bundle.pem") == bundle.read_bytes()
    assert names == sorted(names)
    assert {"pg8000/__init__.py", "scramp/__init__.py", "asn1crypto/__init__.py"} <= set(names)
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    # another CA bundle, another package
    assert result["code_sha256"] != build(tmp_path / "s.zip", cache)["code_sha256"]


def test_package_imports(tmp_path, cache):
    """The function and its driver import from the package alone (as in the Lambda runtime, which
    brings boto3)."""
    result = build(tmp_path / "r.zip", cache)
    extracted = tmp_path / "x"
    with zipfile.ZipFile(result["path"]) as archive:
        archive.extractall(extracted)
    code = "import sys; sys.path.insert(0, sys.argv[1]); import lambda_function, pg8000; print(pg8000.__file__)"
    done = subprocess.run([sys.executable, "-I", "-c", code, str(extracted)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().startswith(str(extracted))


def test_a_parallel_build_that_finished_first_is_kept(tmp_path, monkeypatch):
    """Two converges (or test workers) building at once: the second rename finds the folder done."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_rotation_package", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("pg8000==1.31.6\n")
    cache_dir = tmp_path / "cache"
    digest = hashlib.sha256(requirements.read_bytes() + b"3.12").hexdigest()[:16]
    target = cache_dir / f"deps-{digest}"

    def other_build_finishes_first(command, **kwargs):
        (target / "pg8000").mkdir(parents=True)
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(module.subprocess, "run", other_build_finishes_first)
    assert module.install_dependencies(str(requirements), str(cache_dir), "3.12") == str(target)
    assert sorted(p.name for p in cache_dir.iterdir()) == [target.name]  # our half-built folder is gone
    assert (target / "pg8000").is_dir()
