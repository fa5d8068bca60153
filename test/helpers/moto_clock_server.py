"""moto_server with a movable clock, for tests that need "300 days ago".

Usage: python moto_clock_server.py <clock-file> <moto_server args...>

moto reads its clock through ``moto.core.utils.utcnow`` (creation dates, key last-used, role
last-used; see docs/aws-behaviour.md §7.1). Most moto modules bind it by name
(``from moto.core.utils import utcnow``), so we replace the function in ``moto.core.utils`` *before*
the service backends are imported (moto's server imports them lazily, on the first request), and
also in every moto module that was already imported and holds the original.

The clock file holds one integer: the offset in milliseconds added to the real clock. The test
process rewrites it (atomically, by rename) whenever it moves the clock; we re-read it only when
its inode or mtime changes, so the common case costs one stat().

moto 5.2.1 has no ListServiceSpecificCredentials (docs/aws-behaviour.md §9: it raises
NotImplementedError, a 500). Every `--source api` audit calls it, so the launcher answers it with an
empty list, which is what AWS answers for an account that has none. Service-specific credentials
themselves are tested with aws-sdk-client-mock (test/sources/iam-api/service-specific-credentials.test.ts).

moto 5.2.1's ListEntitiesForPolicy lists only attachments as permissions policy; AWS lists a role
whose permissions boundary is the policy too (without PolicyUsageFilter, or with PermissionsBoundary).
The launcher adds those roles (restrict-permissions' undo asks before deleting its boundary policy).
"""

import datetime
import os
import sys
import threading
import time


def exit_with_parent() -> None:
    """Stop when the test process that started us is gone, even if it was SIGKILLed."""
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(1)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def add_empty_service_specific_credentials() -> None:
    """ListServiceSpecificCredentials: always an empty, untruncated list (see the module docstring)."""
    from moto.core.responses import ActionResult
    from moto.iam.responses import IamResponse

    if hasattr(IamResponse, "list_service_specific_credentials"):
        return  # a moto that implements it: use the real thing

    def list_service_specific_credentials(self):  # type: ignore[no-untyped-def]
        return ActionResult({"ServiceSpecificCredentials": [], "IsTruncated": False})

    IamResponse.list_service_specific_credentials = list_service_specific_credentials  # type: ignore[attr-defined]


def count_role_boundaries_as_policy_entities() -> None:
    """ListEntitiesForPolicy: roles whose permissions boundary is the policy count too (see the docstring)."""
    from moto.iam.responses import IamResponse

    original = IamResponse.list_entities_for_policy

    def list_entities_for_policy(self):  # type: ignore[no-untyped-def]
        result = original(self)
        usage = self._get_param("PolicyUsageFilter")
        entity = self._get_param("EntityFilter")
        if usage not in (None, "PermissionsBoundary") or entity not in (None, "Role"):
            return result
        policy_arn = self._get_param("PolicyArn")
        listed = getattr(result, "result", None)
        if not isinstance(listed, dict):
            return result
        roles = list(listed.get("PolicyRoles") or [])
        if usage == "PermissionsBoundary":
            roles = []
        for role in self.backend.roles.values():
            if getattr(role, "permissions_boundary_arn", None) == policy_arn and role not in roles:
                roles.append(role)
        listed["PolicyRoles"] = roles
        return result

    IamResponse.list_entities_for_policy = list_entities_for_policy  # type: ignore[method-assign]


def main() -> None:
    if len(sys.argv) < 2:
        sys.stderr.write("usage: moto_clock_server.py <clock-file> [moto_server args...]\n")
        sys.exit(2)
    clock_file = sys.argv[1]
    moto_args = sys.argv[2:]
    exit_with_parent()

    import moto.core.utils as moto_utils

    original = moto_utils.utcnow
    state = {"key": None, "offset_ms": 0}

    def current_offset_ms() -> int:
        try:
            st = os.stat(clock_file)
        except FileNotFoundError:
            return 0
        key = (st.st_ino, st.st_mtime_ns, st.st_size)
        if key != state["key"]:
            try:
                with open(clock_file, encoding="utf-8") as f:
                    text = f.read().strip()
                state["offset_ms"] = int(text or "0")
                state["key"] = key
            except (OSError, ValueError):
                pass  # a half-written file: keep the previous offset
        return state["offset_ms"]

    def shifted_utcnow() -> datetime.datetime:
        real = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
        return real + datetime.timedelta(milliseconds=current_offset_ms())

    moto_utils.utcnow = shifted_utcnow

    from moto.server import main as moto_main

    add_empty_service_specific_credentials()
    count_role_boundaries_as_policy_entities()

    for name, module in list(sys.modules.items()):
        if name.startswith("moto") and getattr(module, "utcnow", None) is original:
            setattr(module, "utcnow", shifted_utcnow)

    moto_main(moto_args)


if __name__ == "__main__":
    main()
