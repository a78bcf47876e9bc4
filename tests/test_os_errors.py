"""Errors of the file system are the user's to fix: one line naming the path and
the cause, exit 1, the table still printed, never "internal error"; an earlier
good PDF stays. The read-only and full folders are real tmpfs mounts (root
only; skipped elsewhere); the same errors injected where the tool meets the
operating system (os.open) run everywhere, as does test_cli's disk that
fills up in the middle of a write."""

import errno
import os
import subprocess
from pathlib import Path

import pytest

from briefgen.build.manifest import MANIFEST
from conftest import run_cli, write_brief
from test_batch import table


def mount(folder, *options):
    folder.mkdir(exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join(["size=256k", *options]), "tmpfs", str(folder)],
                          capture_output=True, text=True, timeout=30)
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")


@pytest.fixture
def out(tmp_path):
    """An output folder on a tmpfs of its own, unmounted after the test."""
    folder = tmp_path / "out"
    yield folder
    subprocess.run(["umount", str(folder)], capture_output=True, timeout=30)


def build(brief, out, *args):
    return run_cli("build", brief, "--variant", "summary", "--out", out, "--jobs", "1", *args)


def assert_user_error(result, line):
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [line]
    assert table(result) == {("brief", "summary"): "failed"}   # the table is still printed


@pytest.mark.parametrize("force", [False, True])
def test_a_read_only_output_folder(tmp_path, out, force):
    brief = write_brief(tmp_path)
    mount(out)
    assert build(brief, out).exit_code == 0
    good = (out / "brief-summary.pdf").read_bytes()
    subprocess.run(["mount", "-o", "remount,ro", str(out)], check=True, timeout=30)
    brief.write_text(brief.read_text().replace("Some text.", "Changed."), encoding="utf-8")
    result = build(brief, out, *(["--force"] if force else []))
    assert_user_error(result, f"{out}/: read-only file system")
    assert (out / "brief-summary.pdf").read_bytes() == good


def test_a_full_disk(tmp_path, out):
    brief = write_brief(tmp_path)
    mount(out)
    with open(out / "filler", "wb", buffering=0) as filler:
        with pytest.raises(OSError, match="No space left"):
            while True:
                filler.write(b"\0" * 4096)
    result = build(brief, out)
    assert_user_error(result, f"{out}/: no space left on device")
    assert sorted(path.name for path in out.iterdir()) == ["filler"]  # no temporary file left behind


@pytest.mark.parametrize("code, cause", [(errno.EROFS, "read-only file system"),
                                         (errno.ENOSPC, "no space left on device")], ids=["read-only", "full"])
def test_a_file_system_error_injected_at_os_open(tmp_path, monkeypatch, code, cause):
    """Where no tmpfs can be mounted (not root): every file the build would
    create in the output folder is refused by the (patched) system call."""
    brief = write_brief(tmp_path)
    out = tmp_path / "out"
    assert build(brief, out).exit_code == 0
    good = (out / "brief-summary.pdf").read_bytes()
    system_open = os.open

    def refusing(path, flags, *args, **kwargs):
        if Path(path).parent == out and flags & os.O_CREAT:
            raise OSError(code, os.strerror(code), str(path))
        return system_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing)
    brief.write_text(brief.read_text().replace("The summary.", "Changed."), encoding="utf-8")
    result = build(brief, out)
    assert_user_error(result, f"{out}/: {cause}")
    assert (out / "brief-summary.pdf").read_bytes() == good
    assert not [path for path in out.iterdir() if path.name.endswith(".tmp")]


def test_an_output_path_inside_a_file(tmp_path):
    brief = write_brief(tmp_path)
    (tmp_path / "taken").write_text("a file, not a folder", encoding="utf-8")
    result = build(brief, tmp_path / "taken" / "out")
    assert_user_error(result, f"{tmp_path / 'taken' / 'out'}/: not a directory")


def test_a_pdf_name_that_is_a_folder(tmp_path):
    brief = write_brief(tmp_path)
    (tmp_path / "out" / "brief-summary.pdf").mkdir(parents=True)
    result = build(brief, tmp_path / "out")
    assert_user_error(result, f"{tmp_path / 'out' / 'brief-summary.pdf'}: is a directory")
    assert not [path for path in (tmp_path / "out").iterdir() if path.name.endswith(".tmp")]


def test_a_manifest_that_cannot_be_written_is_a_warning_and_the_pdfs_stay(tmp_path):
    brief = write_brief(tmp_path)
    (tmp_path / "out" / MANIFEST).mkdir(parents=True)
    result = build(brief, tmp_path / "out")
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"warning: {tmp_path / 'out' / MANIFEST}: is a directory; "
        "what was built is not recorded, so the next build rebuilds it"]
    assert table(result) == {("brief", "summary"): "built"}
    assert (tmp_path / "out" / "brief-summary.pdf").is_file()
