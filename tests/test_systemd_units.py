"""The systemd units: `systemd-analyze verify` accepts them, and their hardening holds.

`systemd-analyze verify` needs no running systemd (containers and CI have the binary
without PID 1); it checks every directive and that ExecStart= is executable, so the
unit's install path is swapped for this checkout's `vendorwatch` script first. It exits 0
even for unknown or misspelt directives, so its warnings are asserted empty as well.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
UNITS = {
    "system": (REPO / "systemd" / "vendorwatch.service", "/opt/vendorwatch/bin/vendorwatch"),
    "user": (
        REPO / "systemd" / "vendorwatch-user.service",
        "%h/.local/share/vendorwatch/venv/bin/vendorwatch",
    ),
}
PR_SET_MDWE = 65
PR_MDWE_REFUSE_EXEC_GAIN = 1


def systemd_analyze() -> str:
    found = shutil.which("systemd-analyze")
    if not found:
        pytest.skip("systemd-analyze is not installed here (no systemd)")
    return found


def directives(path: Path) -> dict[str, list[str]]:
    """Every `Key=value` of a unit, values in order (keys may repeat)."""
    found: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";", "[")) or "=" not in line:
            continue
        key, _, value = line.partition("=")
        found.setdefault(key.strip(), []).append(value.strip())
    return found


def verify(kind: str, text: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run `systemd-analyze verify` on `text` as this kind of unit."""
    unit = tmp_path / "vendorwatch.service"
    unit.write_text(text)
    cmd = [systemd_analyze()]
    env = dict(os.environ)
    if kind == "user":
        runtime = tmp_path / "runtime"
        runtime.mkdir(mode=0o700)
        env["XDG_RUNTIME_DIR"] = str(runtime)  # the user manager wants one, even offline
        cmd.append("--user")
    return subprocess.run(
        [*cmd, "verify", str(unit)], capture_output=True, text=True, env=env, timeout=60
    )


def local_text(kind: str) -> str:
    """The unit with ExecStart= pointing at this checkout's installed `vendorwatch`."""
    path, install_path = UNITS[kind]
    script = Path(sys.executable).parent / "vendorwatch"
    if not script.exists():
        pytest.skip(f"{script} is not installed (pip install -e .)")
    text = path.read_text()
    assert install_path in text
    return text.replace(install_path, str(script))


def unit_warnings(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The lines about our unit (not about units of the host it depends on)."""
    return [line for line in (result.stdout + result.stderr).splitlines() if "vendorwatch" in line]


@pytest.mark.parametrize("kind", ["system", "user"])
def test_units_pass_systemd_analyze_verify(kind, tmp_path):
    result = verify(kind, local_text(kind), tmp_path)
    assert result.returncode == 0, result.stderr
    assert unit_warnings(result) == []


def test_verify_catches_a_broken_unit(tmp_path):
    text = local_text("system").replace("Type=notify", "Type=notifyy")
    result = verify("system", text + "Frobnicate=yes\n", tmp_path)
    warnings = unit_warnings(result)
    assert any("notifyy" in w for w in warnings) and any("Frobnicate" in w for w in warnings)


def test_system_unit_is_a_hardened_notify_service():
    unit = directives(UNITS["system"][0])
    single = {key: values[-1] for key, values in unit.items()}
    assert single["Type"] == "notify" and single["WatchdogSec"]
    assert single["Restart"] == "on-failure"
    assert single.get("DynamicUser") == "yes" or single.get("User") == "vendorwatch"
    assert single["StateDirectory"] == "vendorwatch"
    assert single["ConfigurationDirectory"] == "vendorwatch"
    exec_start = single["ExecStart"].split()
    assert exec_start[-1] == "run"
    assert "--config" in exec_start and "--db" in exec_start
    config = exec_start[exec_start.index("--config") + 1]
    db = exec_start[exec_start.index("--db") + 1]
    assert config.startswith("/etc/vendorwatch/") and db.startswith("/var/lib/vendorwatch/")
    for key in (
        "NoNewPrivileges",
        "ProtectHome",
        "PrivateTmp",
        "PrivateDevices",
        "ProtectKernelTunables",
        "ProtectKernelModules",
        "ProtectKernelLogs",
        "ProtectControlGroups",
        "RestrictNamespaces",
        "LockPersonality",
        "MemoryDenyWriteExecute",
        "RestrictSUIDSGID",
    ):
        assert single.get(key) == "yes", key
    assert single["ProtectSystem"] == "strict"
    assert single["RestrictAddressFamilies"].split() == ["AF_INET", "AF_INET6", "AF_UNIX"]
    assert single["CapabilityBoundingSet"] == ""
    assert single["UMask"] == "0077"
    assert "@system-service" in unit["SystemCallFilter"]


def test_user_unit_is_a_notify_service_for_the_user_manager():
    single = {key: values[-1] for key, values in directives(UNITS["user"][0]).items()}
    assert single["Type"] == "notify" and single["WatchdogSec"]
    assert single["ExecStart"].split()[-1] == "run"
    assert single["WantedBy"] == "default.target"
    assert single["NoNewPrivileges"] == "yes" and single["MemoryDenyWriteExecute"] == "yes"


def _deny_write_execute() -> None:
    """preexec_fn: what MemoryDenyWriteExecute=yes enforces, by the kernel (Linux 6.3+)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) != 0:
        os._exit(77)


ANALYSE_UNDER_MDWE = """
import mmap
try:
    mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    raise SystemExit("a writable and executable mapping was allowed: MDWE is not active")
except PermissionError:
    pass
from vendorwatch.nlp.analyze import Analyzer, MessageInput
results = Analyzer().analyze([
    MessageInput("out", "Please send the files soon and make the banner better."),
    MessageInput("in", "Sorry, I did not understand what you mean by a modern look."),
])
assert [f.kind for f in results[0].findings] == ["ambiguity"], results
assert [f.kind for f in results[1].findings] == ["confusion"], results
import tempfile
from pathlib import Path
from vendorwatch.daemon.parse import Limits, parse
from vendorwatch.daemon.store import Store
raw = b"From: a@b.example\\r\\nSubject: hi\\r\\nMessage-ID: <1@b.example>\\r\\n\\r\\nhello\\r\\n"
assert parse(raw, Limits()).subject == "hi"
with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "vw.db") as store:
    assert store.counts()["messages"] == 0
print("ok")
"""


def test_parse_analysis_and_sqlite_run_under_memory_deny_write_execute():
    """The system unit sets MemoryDenyWriteExecute=yes: the parser, spaCy's stack (numpy,
    thinc, blis) and SQLite must never need a writable and executable page."""
    if not sys.platform.startswith("linux"):
        pytest.skip("PR_SET_MDWE is Linux-only")
    done = subprocess.run(
        [sys.executable, "-c", ANALYSE_UNDER_MDWE],
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=_deny_write_execute,
    )
    if done.returncode == 77:
        pytest.skip("this kernel has no PR_SET_MDWE (Linux 6.3+)")
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
