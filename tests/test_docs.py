"""Every command block of README.md and every example of `renfang … --help` runs as printed.

The convention (README "Development"):

- A command block is a ```sh or ```console block. Each one is run here, unless the README line
  just before it is ``<!-- not run: REASON -->`` (counted: NOT_RUN, so the list cannot silently
  grow). ```sql blocks are run by tests/test_archive_schema.py; plain ``` blocks are diagrams.
- A block runs as printed, from its own temporary view of the checkout (symlinks to the repo's
  files; ``../shared`` is the shared material), so ``data`` is a fresh data dir, inside a private
  network namespace (``unshare -rn``, loopback only): the fixed ports the README names (8701 and
  8702 for the sample portal, 8001 for Datasette) are free there whatever else runs on the
  machine, and nothing leaves it (a real office's site fails at once). The absolute directories
  of a server (``/srv/…``, ``/etc/…``) are mapped into the temporary directory.
- In a ```sh block each line is a command. ``CMD &`` runs in the background until the block ends
  (the next line starts once it listens); a ``renfang serve`` or ``renfang demo`` line is a
  server: it must answer on http://127.0.0.1:8001/archive, is then stopped with SIGINT and must
  exit 0. Other commands must exit 0, or 3 for ``crawl`` and ``run`` (a site not ``ok``: the
  sample portal's 攀枝花 2017 page answers 500, and no real office answers in the namespace). A
  ```json block after "prints" is the preceding command's output (``…`` elides the rest).
- In a ```console block, ``$ `` lines are commands and the lines up to the next ``$ `` are their
  standard output, as printed (a line ending in ``…`` shows the start of the line).
- The ``--help`` examples run in that order in one view, after ``python -m sample_portal.server &``
  (the README's "A crawl"): each crawl, load, run, parse, schedule, verify, release and export
  example, then each server.

This file is also the runner inside the namespace: ``unshare -rn python tests/test_docs.py``
reads the steps as JSON on stdin and prints what each did as JSON.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SERVER_URL = "http://127.0.0.1:8001/archive"
SERVERS = ("renfang serve", "renfang demo")
# Blocks marked `<!-- not run: … -->`: make demo serves until Ctrl-C and `make test` is this suite
# (`renfang demo` itself is run below, from its --help example).
NOT_RUN = 1
# A --help example whose pipe is not followed: it would install into the user's crontab.
NOT_PIPED = {"crontab -": "installs the line into the user's crontab"}


# ------------------------------------------------------------------ the runner (in the namespace)
def _listening() -> set[str]:
    ports = set()
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(name) as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                if fields[3] == "0A":
                    ports.add(fields[1])
    return ports


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=5).read()
        return True
    except OSError:
        return False


def run_steps(spec: dict) -> list[dict]:
    """Run ``spec["steps"]`` in ``spec["cwd"]``: each ``{"cmd", "kind"}`` with kind ``fg``,
    ``bg`` (in the background until the end) or ``server``."""
    cwd, results, background = spec["cwd"], [], []
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    try:
        for step in spec["steps"]:
            cmd, kind = step["cmd"], step["kind"]
            started = time.monotonic()
            if kind == "stop_background":
                _stop(background)
                continue
            if kind == "fg":
                try:
                    proc = subprocess.run(cmd, shell=True, cwd=cwd, env=env, capture_output=True, text=True,
                                          timeout=spec.get("timeout", 600))
                    results.append({"cmd": cmd, "rc": proc.returncode, "stdout": proc.stdout,
                                    "stderr": proc.stderr[-4000:]})
                except subprocess.TimeoutExpired as e:
                    results.append({"cmd": cmd, "rc": "timeout", "stdout": str(e.stdout), "stderr": str(e.stderr)})
            elif kind == "bg":
                before = _listening()
                log = tempfile.TemporaryFile("w+")
                # exec: the signals at the end go to the command itself, not to a shell around it
                proc = subprocess.Popen("exec " + cmd.rstrip("& "), shell=True, cwd=cwd, env=env, stdout=log,
                                        stderr=subprocess.STDOUT, text=True, start_new_session=True)
                background.append((proc, log))
                seen, stable = set(), time.monotonic()
                while time.monotonic() - started < 60 and proc.poll() is None:
                    now = _listening() - before
                    if now != seen:
                        seen, stable = now, time.monotonic()
                    elif seen and time.monotonic() - stable > 1:
                        break
                    time.sleep(0.1)
                results.append({"cmd": cmd, "rc": proc.poll(), "listening": len(seen)})
            else:
                assert kind == "server", kind
                proc = subprocess.Popen("exec " + cmd, shell=True, cwd=cwd, env=env, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True, start_new_session=True)
                answered = False
                while time.monotonic() - started < 180 and proc.poll() is None:
                    if _answers(step.get("url", SERVER_URL)):
                        answered = True
                        break
                    time.sleep(0.3)
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGINT)
                try:
                    out, _ = proc.communicate(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    out, _ = proc.communicate()
                results.append({"cmd": cmd, "rc": proc.returncode, "answered": answered, "stdout": out[-4000:]})
            results[-1]["seconds"] = round(time.monotonic() - started, 1)
    finally:
        _stop(background)
    return results


def _stop(background: list) -> None:
    for proc, log in background:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()
    background.clear()


def _namespace_main() -> None:
    spec = json.load(sys.stdin)
    if spec.get("namespace"):
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    json.dump(run_steps(spec), sys.stdout)


if __name__ == "__main__":
    _namespace_main()
    sys.exit(0)


# ------------------------------------------------------------------ reading the README and --help
import pytest  # noqa: E402  (the runner above needs only the standard library)

from tests.helpers import SHARED  # noqa: E402

FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.S | re.M)
NOT_RUN_MARK = re.compile(r"^<!-- not run: ([^>]+?) -->\n*\Z", re.M)


def readme_blocks() -> list[dict]:
    """The README's fenced blocks in order: language, text, line, the not-run reason if any,
    and the prose between it and the block before it."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks, end, counts = [], 0, {}
    for m in FENCE.finditer(text):
        before = text[end:m.start()]
        reason = NOT_RUN_MARK.search(before)
        headings = re.findall(r"^#+ (.+)$", text[:m.start()], re.M)
        section = re.sub(r"\W+", "-", headings[-1].lower()).strip("-") if headings else "top"
        counts[section] = counts.get(section, 0) + 1
        blocks.append({"lang": m.group(1), "body": m.group(2), "line": text.count("\n", 0, m.start()) + 1,
                       "id": f"{section}-{counts[section]}", "not_run": reason.group(1) if reason else None,
                       "before": before})
        end = m.end()
    return blocks


def command_blocks() -> list[dict]:
    return [b for b in readme_blocks() if b["lang"] in ("sh", "console")]


def help_examples() -> list[list[str]]:
    """The examples of `renfang --help` and of each command's --help, in command order: one list
    of lines per example section (a line that is not a renfang command, such as checking a
    release's manifest, follows the command before it)."""
    from click.testing import CliRunner

    from renfang.cli import cli

    def help_of(*args) -> str:  # the --help text the program prints, asked of its click commands
        result = CliRunner().invoke(cli, [*args, "--help"], prog_name="renfang")
        assert result.exit_code == 0, result.output
        return result.output

    top = help_of()
    commands = re.findall(r"^  (\w+)  ", top.split("Commands:", 1)[1], re.M)
    groups = []
    for out in [top] + [help_of(c) for c in commands]:
        for section in re.findall(r"Example[^\n]*:\n((?:[ \t]+\S[^\n]*\n?)+)", out):
            groups.append([line.split("  #")[0].strip() for line in section.splitlines() if line.strip()])
    return groups


def shell_lines(body: str) -> list[str]:
    return [line.split("  #")[0].strip() for line in body.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def step(cmd: str) -> dict:
    if cmd.endswith("&"):
        return {"cmd": cmd, "kind": "bg"}
    if any(s in cmd for s in SERVERS):
        return {"cmd": cmd, "kind": "server"}
    return {"cmd": cmd, "kind": "fg"}


def expected_rc(cmd: str) -> set[int]:
    words = shlex.split(cmd) if "$(" not in cmd else cmd.split()
    sub = words[1] if len(words) > 1 and words[0].endswith("renfang") else ""
    return {0, 3} if sub in ("crawl", "run") else {0}


# ------------------------------------------------------------------ running them
def _namespace_works() -> bool:
    try:
        return subprocess.run(["unshare", "-rn", "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def run_in_view(tmp_path: Path, steps: list[dict]) -> tuple[list[dict], Path]:
    """Run ``steps`` from a fresh view of the checkout under ``tmp_path`` (in a private network
    namespace when the kernel allows one; else on this machine's loopback, the ports must be free)."""
    view = tmp_path / "checkout"
    view.mkdir()
    for entry in REPO.iterdir():
        if entry.name not in (".git", "data", "demo-data", "releases"):
            (view / entry.name).symlink_to(entry)
    (tmp_path / "shared").symlink_to(SHARED)
    for s in steps:  # a server's own absolute directories, inside the temporary directory
        s["cmd"] = re.sub(r"(?<![\w./])/(srv|etc)/", lambda m: f"{tmp_path}/{m.group(1)}/", s["cmd"])
    namespace = _namespace_works()
    spec = {"cwd": str(view), "steps": steps, "namespace": namespace}
    command = ["unshare", "-rn", sys.executable, __file__] if namespace else [sys.executable, __file__]
    proc = subprocess.run(command, input=json.dumps(spec), capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout), view


def assert_ran(result: dict) -> None:
    if "answered" in result:
        assert result["answered"], f"{result['cmd']}: {SERVER_URL} never answered\n{result['stdout']}"
        assert result["rc"] == 0 and "stopped" in result["stdout"], result
    elif "listening" in result:
        assert result["rc"] is None and result["listening"], f"{result['cmd']}: not listening"
    else:
        assert result["rc"] in expected_rc(result["cmd"]), (
            f"{result['cmd']} exited {result['rc']}\nstdout:\n{result['stdout'][-3000:]}\nstderr:\n{result['stderr']}")


def matches(printed, got, where="") -> None:
    """``got`` is what ``printed`` shows: a list with a "…" item shows some of its items, in
    order; a string ending in "…" is a prefix; anything else is equal."""
    if isinstance(printed, dict):
        assert isinstance(got, dict) and list(printed) == list(got), (where, list(printed), list(got))
        for k, v in printed.items():
            matches(v, got[k], f"{where}.{k}")
    elif isinstance(printed, list) and "…" in printed:
        assert isinstance(got, list), where
        rest = iter(enumerate(got))
        for v in (v for v in printed if v != "…"):
            assert any(_matches(v, g) for _, g in rest), (where, "not shown in this order", v)
    elif isinstance(printed, list):
        assert isinstance(got, list) and len(got) == len(printed), (where, printed, got)
        for i, v in enumerate(printed):
            matches(v, got[i], f"{where}[{i}]")
    elif isinstance(printed, str) and printed.endswith("…"):
        assert isinstance(got, str) and got.startswith(printed[:-1]), (where, got)
    else:
        assert printed == got and type(printed) is type(got), (where, printed, got)


def _matches(printed, got) -> bool:
    try:
        matches(printed, got)
        return True
    except AssertionError:
        return False


def printed_json(body: str):
    """A README ```json block with `…` elisions, as JSON (an elided list item is the string "…")."""
    text = re.sub(r"^(\s*)…\s*$", r'\1"…"', body, flags=re.M)
    return json.loads(text)


# ------------------------------------------------------------------ the tests
def test_every_command_block_is_run_or_says_why_not():
    blocks = command_blocks()
    assert blocks, "README.md has no command block"
    not_run = [(b["line"], b["not_run"]) for b in blocks if b["not_run"]]
    assert len(not_run) == NOT_RUN, f"blocks marked <!-- not run -->: {not_run} (NOT_RUN is {NOT_RUN})"
    for b in blocks:
        if b["lang"] == "console":
            assert b["body"].startswith("$ "), f"README.md:{b['line']}: a console block starts with `$ `"
        lines = shell_lines(b["body"]) if b["lang"] == "sh" else [l for l in b["body"].splitlines() if l.startswith("$ ")]
        assert lines, f"README.md:{b['line']}: an empty command block"
    # a marker is only for a command block
    marks = len(re.findall(r"^<!-- not run:", (REPO / "README.md").read_text(encoding="utf-8"), re.M))
    assert marks == NOT_RUN


def test_every_help_example_section_starts_with_a_renfang_command():
    groups = help_examples()
    assert len(groups) >= 10, groups
    for lines in groups:
        assert lines[0].startswith("renfang "), lines
        for line in lines:
            shlex.split(line)


def _sh_cases():
    return [pytest.param(b, id=b["id"]) for b in command_blocks() if b["lang"] == "sh" and not b["not_run"]]


def _console_cases():
    return [pytest.param(b, id=b["id"]) for b in command_blocks() if b["lang"] == "console" and not b["not_run"]]


@pytest.mark.slow
@pytest.mark.loopback
@pytest.mark.parametrize("block", _sh_cases())
def test_readme_sh_block_runs(block, tmp_path):
    results, _ = run_in_view(tmp_path, [step(cmd) for cmd in shell_lines(block["body"])])
    for result in results:
        assert_ran(result)
    blocks = readme_blocks()
    following = blocks[blocks.index(next(b for b in blocks if b["line"] == block["line"])) + 1:]
    if following and following[0]["lang"] == "json" and following[0]["before"].strip() == "prints":
        matches(printed_json(following[0]["body"]), json.loads(results[-1]["stdout"]))


@pytest.mark.slow
@pytest.mark.loopback
@pytest.mark.parametrize("block", _console_cases())
def test_readme_console_block_prints_as_shown(block, tmp_path):
    commands = re.split(r"^\$ ", block["body"], flags=re.M)[1:]
    cases = [(c.split("\n", 1)[0], c.split("\n", 1)[1] if "\n" in c else "") for c in commands]
    # the sample portal runs beside them, as the README's "A crawl" starts it
    steps = [step(".venv/bin/python -m sample_portal.server &")] + [step(cmd) for cmd, _ in cases]
    results, _ = run_in_view(tmp_path, steps)
    assert_ran(results[0])
    for result, (cmd, printed) in zip(results[1:], cases, strict=True):
        assert_ran(result)
        assert_printed(printed, result["stdout"], cmd)


def assert_printed(printed: str, got: str, cmd: str) -> None:
    """``got`` is the output ``printed`` shows: line by line, a line ending in "…" a prefix."""
    want, lines = printed.splitlines(), got.splitlines()
    same = len(want) == len(lines) and all(
        g.startswith(w[:-1]) if w.endswith("…") else g == w for w, g in zip(want, lines))
    assert same, f"$ {cmd}\nprinted:\n{printed}\ngot:\n{got}"


@pytest.mark.slow
@pytest.mark.loopback
def test_every_help_example_runs(tmp_path):
    order = ["crawl", "load", "run", "alerts", "parse", "schedule", "verify", "schema", "registry", "release", "export",
             "merge", "serve", "demo"]
    groups = {}
    for lines in help_examples():
        groups.setdefault(shlex.split(lines[0])[1], []).append(lines)
    unknown = sorted(set(groups) - set(order))
    assert not unknown, f"add {unknown} to the order of this test"
    steps, seen = [step(".venv/bin/python -m sample_portal.server &")], set()
    for command in order:
        for lines in groups.get(command, []):
            for line in lines:
                if line in seen:  # `renfang demo` is the example of `renfang` and of `renfang demo`
                    continue
                seen.add(line)
                cmd = ".venv/bin/" + line if line.startswith("renfang ") else line
                for pipe in NOT_PIPED:
                    cmd = cmd.replace(f" | {pipe}", "")
                steps.append(step(cmd))
    steps = _demo_last(steps)
    results, _ = run_in_view(tmp_path, steps)
    assert [r["cmd"] for r in results] == [s["cmd"] for s in steps if s["kind"] != "stop_background"]
    for result in results:
        assert_ran(result)
    assert any(r["cmd"].startswith("cd releases/") for r in results)


def _demo_last(steps: list[dict]) -> list[dict]:
    """`renfang demo` serves its own sample portal on 8701: the one started first must be gone."""
    out, demos = [], []
    for s in steps:
        (demos if "renfang demo" in s["cmd"] else out).append(s)
    return out + ([{"cmd": "", "kind": "stop_background"}] if demos else []) + demos
