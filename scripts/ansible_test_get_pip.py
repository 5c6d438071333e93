"""Offline stand-in for https://ci-files.testing.ansible.com/ansible-test/get-pip-25.2.py.

ansible-test runs it (through quiet_pip.py) inside a new venv made with --without-pip, with
the arguments get-pip.py takes: pip options, requirement specifiers such as pip==25.2, and
--no-setuptools / --no-wheel. It installs the pip bundled with the interpreter (ensurepip, in
a subprocess so its "ignore pip.conf" setting does not leak), then lets that pip install the
requested version from the configured package index.
"""
import subprocess
import sys

args = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"])
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install", "--upgrade", *args]))
