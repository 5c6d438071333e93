# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Run a module's main() in-process with one stubbed boto3 client, for the Stubber unit tests.

``run_main(module, args, client)`` patches only ``AnsibleAWSModule.client`` (to return
``client``) and the module's exit and failure, and returns ``(failed, result)``. ``consumed(stubber)``
activates a Stubber and, at the end, asserts that every queued response was used. Test files
import them by name (pytest puts this folder on sys.path).
"""

from __future__ import annotations

import contextlib
from unittest import mock

from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule


class ExitJson(Exception):
    pass


class FailJson(Exception):
    pass


def _exit_json(self, **kwargs):
    raise ExitJson(kwargs)


def _fail_json(self, **kwargs):
    raise FailJson(kwargs)


def run_main(module, args, client, check_mode=False, diff=False):
    """Run ``module.main()`` with ``args`` and ``client`` as every boto3 client.

    :return: ``(failed, result)``: False and the exit_json arguments, or True and the fail_json ones.
    """
    module_args = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
    with patch_module_args(module_args), mock.patch.object(
        AnsibleAWSModule, "client", return_value=client
    ), mock.patch.object(basic.AnsibleModule, "exit_json", _exit_json), mock.patch.object(
        basic.AnsibleModule, "fail_json", _fail_json
    ):
        try:
            module.main()
        except ExitJson as e:
            return False, e.args[0]
        except FailJson as e:
            return True, e.args[0]
    raise AssertionError("main() neither exited nor failed")


@contextlib.contextmanager
def consumed(stubber):
    """Activate ``stubber``; afterwards assert that every queued response was consumed, i.e. the
    module made exactly the calls the test expected."""
    with stubber:
        yield stubber
        stubber.assert_no_pending_responses()
