"""cfn-lint over several argument lists in one Python process, for test/helpers/cfn.ts.

Usage: python cfn_lint_each.py < runs.json   (a JSON list of cfn-lint argument lists)

Prints a JSON list with, for each run, its exit code and its output, as ``cfn-lint ARGS`` run alone
gives them (cfn-lint's own entry point, its SystemExit caught). cfn-lint spends ~2.5 s of CPU
importing its schemas before it lints anything; this pays that once for all the runs. Exits 97 when
this Python cannot import cfn-lint (the caller then runs cfn-lint once per run).
"""

import contextlib
import io
import json
import sys

try:
    from cfnlint.runner import main
except ImportError:
    sys.exit(97)

results = []
for argv in json.loads(sys.stdin.read()):
    sys.argv = ["cfn-lint", *argv]
    output = io.StringIO()
    code = 0
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        try:
            main()
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    results.append({"code": code, "output": output.getvalue()})
sys.stdout.write(json.dumps(results))
