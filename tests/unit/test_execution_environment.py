"""The AWX execution environment (execution-environment.yml) installs exactly the versions CI runs.

`ansible-builder create` writes the build context without a container engine; the tests read what
it wrote, and run ansible-builder's own introspection (what the image's pip will install) over our
built collection and the venv's amazon.aws / community.aws.
"""

import json
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest
import yaml
from ansible_builder._target_scripts import introspect
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import REPO_ROOT, VENV_BIN

COLLECTIONS_DIR = Path(introspect.__file__).resolve().parents[2] / "ansible_collections"
GALAXY = yaml.safe_load((REPO_ROOT / "galaxy.yml").read_text())
TARBALL = f"{GALAXY['namespace']}-{GALAXY['name']}-{GALAXY['version']}.tar.gz"


def pins(path: Path) -> dict:
    """name -> version of every `name==version` line of a pip requirements/constraints file."""
    out = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            req = Requirement(line)
            out[canonicalize_name(req.name)] = str(req.specifier).removeprefix("==")
    return out


CONSTRAINTS = pins(REPO_ROOT / "constraints.txt")


def shipped_version(fqcn: str) -> str:
    """The version of a collection the pinned `ansible` package ships (its MANIFEST.json)."""
    namespace, name = fqcn.split(".")
    manifest = json.loads((COLLECTIONS_DIR / namespace / name / "MANIFEST.json").read_text())
    return manifest["collection_info"]["version"]


@pytest.fixture(scope="module")
def context(tmp_path_factory):
    """`ansible-builder create` of a copy of the repo's EE definition, with our collection built by
    `ansible-galaxy collection build` as `make ee-context` does."""
    src = tmp_path_factory.mktemp("ee-src")
    for rel in ("execution-environment.yml", "constraints.txt", "collections/requirements.yml",
                "execution-environment/requirements.txt"):
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO_ROOT / rel, src / rel)
    build = subprocess.run(
        [str(VENV_BIN / "ansible-galaxy"), "collection", "build", "--force", "--output-path", str(src / "build"), str(REPO_ROOT)],
        capture_output=True, text=True, check=False,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    out = tmp_path_factory.mktemp("ee-context")
    create = subprocess.run(
        [str(VENV_BIN / "ansible-builder"), "create", "-f", str(src / "execution-environment.yml"), "-c", str(out),
         "--output-filename", "Containerfile"],
        cwd=src, capture_output=True, text=True, check=False,
    )
    assert create.returncode == 0, create.stdout + create.stderr
    return out


def test_collection_requirements_are_the_versions_the_pinned_ansible_package_ships():
    listed = yaml.safe_load((REPO_ROOT / "collections" / "requirements.yml").read_text())["collections"]
    assert {c["name"] for c in listed} >= {"amazon.aws", "community.aws", "community.crypto", "ansible.posix"}
    for collection in listed:
        assert collection["version"] == shipped_version(collection["name"]), collection["name"]


def test_every_collection_the_roles_and_playbooks_call_is_in_the_requirements():
    used = set()
    # task files only: vars files hold keys such as db.r6g.large that look like module names
    tasks = [path for path in (REPO_ROOT / "roles").rglob("*.yml") if path.parent.name in ("tasks", "handlers")]
    for path in tasks + list((REPO_ROOT / "playbooks").glob("*.yml")):
        used |= set(re.findall(r"^\s*-?\s*([a-z_0-9]+\.[a-z_0-9]+)\.[a-z_0-9]+:", path.read_text(), re.M))
    used -= {"ansible.builtin", "medtech.aws_platform", "awx.awx"}  # awx.awx: awx_configure.yml runs outside the EE
    listed = {c["name"] for c in yaml.safe_load((REPO_ROOT / "collections" / "requirements.yml").read_text())["collections"]}
    assert used and used <= listed, used - listed


def test_context_applies_constraints_txt_before_the_first_pip_call(context):
    assert (context / "_build" / "configs" / "constraints.txt").read_text() == (REPO_ROOT / "constraints.txt").read_text()
    lines = (context / "Containerfile").read_text().splitlines()
    env = next(i for i, line in enumerate(lines) if line.startswith("ENV PIP_CONSTRAINT="))
    target = lines[env].split("=", 1)[1]
    copy = next(i for i, line in enumerate(lines) if line == f"COPY _build/configs/constraints.txt {target}")
    first_pip = next(i for i, line in enumerate(lines) if "pip_install" in line or "pip install" in line)
    assert copy < env < first_pip
    # every later stage starts FROM base, so the constraint holds in the builder and final stages too
    stages = [line for line in lines if line.startswith("FROM ")]
    assert stages[1:] == ["FROM base AS galaxy", "FROM base AS builder", "FROM base AS final"]


def test_context_installs_ansible_core_and_runner_at_our_pins(context):
    refs = re.search(r'^ARG ANSIBLE_INSTALL_REFS="(.*)"$', (context / "Containerfile").read_text(), re.M).group(1).split()
    # names only: the version is constraints.txt's, which is requirements.txt's
    assert refs == ["ansible-core", "ansible-runner"]
    requirements = pins(REPO_ROOT / "requirements.txt")
    for name in refs:
        assert CONSTRAINTS[name] == requirements[name], name


def test_context_python_requirements_are_names_with_a_pin(context):
    lines = [line.split("#", 1)[0].strip() for line in (context / "_build" / "requirements.txt").read_text().splitlines()]
    reqs = [Requirement(line) for line in lines if line]
    assert {canonicalize_name(r.name) for r in reqs} >= {"boto3", "botocore", "cryptography"}
    for req in reqs:
        assert not req.specifier, f"{req}: versions belong in constraints.txt"
        assert canonicalize_name(req.name) in CONSTRAINTS, req.name
    assert CONSTRAINTS["boto3"] == pins(REPO_ROOT / "requirements.txt")["boto3"]


def test_context_galaxy_requirements_and_our_collection(context):
    listed = yaml.safe_load((context / "_build" / "requirements.yml").read_text())["collections"]
    assert {c["name"]: c["version"] for c in listed} == {c["name"]: shipped_version(c["name"]) for c in listed}
    assert (context / "_build" / "collections" / TARBALL).is_file()
    assert f"/build/collections/{GALAXY['namespace']}-{GALAXY['name']}-*.tar.gz" in (context / "Containerfile").read_text()


def test_everything_the_image_pip_installs_has_a_pin(context, tmp_path):
    """ansible-builder's introspection over the installed collections (ours from the context's
    tarball, amazon.aws and community.aws from the venv) gives what the image's pip installs: our
    collection names its EE requirements (meta/execution-environment.yml), not the repo's test
    tools, and each requirement resolves to a constraints.txt pin."""
    root = tmp_path / "ansible_collections"
    ours = root / GALAXY["namespace"] / GALAXY["name"]
    ours.mkdir(parents=True)
    with tarfile.open(context / "_build" / "collections" / TARBALL) as tar:
        tar.extractall(ours, filter="data")
    for fqcn in ("amazon.aws", "community.aws", "community.crypto"):
        namespace, name = fqcn.split(".")
        (root / namespace).mkdir(exist_ok=True)
        (root / namespace / name).symlink_to(COLLECTIONS_DIR / namespace / name)
    found = introspect.process(data_dir=str(tmp_path), user_pip=str(context / "_build" / "requirements.txt"),
                               exclude_pip=str(context / "_build" / "exclude-requirements.txt"))["python"]
    ee_names = {canonicalize_name(Requirement(line).name) for line in found["medtech.aws_platform"]}
    assert ee_names == {"boto3", "botocore", "cryptography"}
    assert "moto" not in str(found) and "pytest" not in str(found)
    lines = introspect.filter_requirements(found, exclude=found.pop("exclude"))
    # amazon.aws's EDA-only requirement, with a botocore range of its own, stays out
    assert "aiobotocore" not in str(lines) and lines
    for line in lines:
        req = Requirement(line.split("#", 1)[0].strip())
        name = canonicalize_name(req.name)
        assert name in CONSTRAINTS, line
        assert req.specifier.contains(CONSTRAINTS[name], prereleases=True), f"{line} excludes our pin {CONSTRAINTS[name]}"
