"""`hotline chat`: a resident reports a leak in the terminal; buttons are picked by number."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid

import pytest

pytestmark = pytest.mark.stack


def test_terminal_leak_report_creates_a_ticket(app) -> None:  # type: ignore[no-untyped-def]
    typed = "\n".join(["你好", "阳光花园3号楼2单元301暖气片漏水了", "13812345678", "1", "1", ""])
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat", "--as", f"t-{uuid.uuid4().hex}"],
        input=typed,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "HOTLINE_RASA_URL": app.settings.rasa_url},
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "工号" in out and "阀门" in out
    assert "[1] 随时都可以" in out and "[1] 确认提交" in out
    assert re.search(r"工单编号:HL-[0-9A-Z]{6}", out), out
