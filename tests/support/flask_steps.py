"""Several `flask --app APP ARGS...` commands in one process, one after the other, each with its own
environment, through the `flask` command's own entry (flask.cli.cli). A test stack migrates and
seeds three services before it starts: as six `flask` processes that is six imports of a whole
service (1-2 s of CPU each); here the imports are paid once.

    python tests/support/flask_steps.py '[["training", {"ENV": "value"}, ["db", "upgrade"]], ...]'

Stops at the first step that fails (exit 1, its traceback on stderr)."""

from __future__ import annotations

import json
import os
import sys


def run(steps: list) -> None:
    from flask.cli import cli

    base = dict(os.environ)
    for app, env, args in steps:
        os.environ.clear()
        os.environ.update({**base, **env})  # the service reads its Config from the environment
        try:
            code = cli.main(["--app", app, *args], prog_name="flask", standalone_mode=False)
        except SystemExit as exc:  # a command that exits: carry on only when it succeeded
            code = exc.code
        if code not in (None, 0):
            raise SystemExit(f"flask --app {app} {' '.join(args)} exited {code}")


if __name__ == "__main__":
    run(json.loads(sys.argv[1]))
