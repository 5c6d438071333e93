"""`ansible-galaxy collection build` makes a tarball that installs and runs site.yml like the repo does."""

import subprocess

import pytest

from conftest import REPO_ROOT, VENV_BIN, ansible_env

pytestmark = pytest.mark.emulator


def test_built_collection_installs_and_converges_in_check_mode(aws, tmp_path):
    # no repo ansible.cfg: it would find the collection already "installed" through collections/
    galaxy_env = ansible_env(None)
    del galaxy_env["ANSIBLE_CONFIG"]
    build = subprocess.run(
        [str(VENV_BIN / "ansible-galaxy"), "collection", "build", "--force", "--output-path", str(tmp_path), str(REPO_ROOT)],
        capture_output=True, text=True, check=False, env=galaxy_env,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    tarball = tmp_path / "medtech-aws_platform-0.1.0.tar.gz"
    assert tarball.exists()
    listing = subprocess.run(["tar", "-tzf", str(tarball)], capture_output=True, text=True, check=True).stdout.split()
    assert "plugins/modules/ec2_vpc_flow_log.py" in listing
    assert "roles/network/tasks/main.yml" in listing
    assert not [name for name in listing if name.startswith((".venv", "collections/ansible_collections", ".emulator", "scripts/"))]

    installed = tmp_path / "installed"
    install = subprocess.run(
        [str(VENV_BIN / "ansible-galaxy"), "collection", "install", "--force", "--no-deps", "-p", str(installed), str(tarball)],
        capture_output=True, text=True, check=False, env=galaxy_env,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    assert "was installed successfully" in install.stdout
    root = installed / "ansible_collections" / "medtech" / "aws_platform"

    # no repo ansible.cfg: the installed copy alone, beside amazon.aws from the venv
    env = ansible_env(aws.url)
    del env["ANSIBLE_CONFIG"]
    env["ANSIBLE_COLLECTIONS_PATH"] = str(installed)
    run = subprocess.run(
        [str(VENV_BIN / "ansible-playbook"), "medtech.aws_platform.site", "-i", str(root / "inventories" / "local"), "--check"],
        cwd=tmp_path, capture_output=True, text=True, check=False, env=env, timeout=600,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "Check mode: VPC medtech-prod-vpc (10.0.0.0/16) does not exist yet" in run.stdout
