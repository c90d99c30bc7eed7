"""tools/mailcatcher.py (started by `make run`): a real process that writes each message it
receives to <dir>/<timestamp>-<id>.eml, keeps going, and stops on SIGTERM."""

import os
import signal
import smtplib
import subprocess
import sys
import time

from support.smtp import free_port

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _wait_listening(port, proc):
    for _ in range(100):
        if proc.poll() is not None:
            raise AssertionError(proc.stderr.read())
        try:
            smtplib.SMTP("127.0.0.1", port, timeout=1).quit()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("mailcatcher did not start")


def test_mailcatcher_writes_each_message_to_a_file_and_keeps_going(tmp_path):
    port, out = free_port(), tmp_path / "mail"
    proc = subprocess.Popen(
        [
            sys.executable,
            os.path.join(ROOT, "tools", "mailcatcher.py"),
            "--port",
            str(port),
            "--dir",
            str(out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_listening(port, proc)
        for n in range(2):
            with smtplib.SMTP("127.0.0.1", port) as s:
                s.sendmail(
                    "no-reply@imatter.local",
                    [f"person{n}@example.org"],
                    f"Subject: note {n}\r\nTo: person{n}@example.org\r\n\r\nbody {n}\r\n",
                )
        files = sorted(out.glob("*.eml"))
        assert len(files) == 2 and not list(out.glob("*.tmp"))
        first = files[0].read_text()
        assert "Subject: note 0" in first and "X-Catcher-Rcpt-To: person0@example.org" in first
        assert files[0].name[:8].isdigit() and files[0].name.endswith(".eml")
    finally:
        proc.send_signal(signal.SIGTERM)
        out_text, _ = proc.communicate(timeout=10)
    assert proc.returncode == 0 and "stopped" in out_text
