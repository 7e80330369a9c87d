"""Atomic writes: umask permissions, no half-written files, no silent overwrite."""

from __future__ import annotations

import os
import stat

import pytest

import workbench as wb
from workbench.errors import ExpectationError
from workbench.files import write_atomic


def test_write_atomic_gives_the_permissions_a_plain_open_would(tmp_path):
    old = os.umask(0o022)
    try:
        plain = tmp_path / "plain.txt"
        plain.write_text("x")
        atomic = write_atomic(tmp_path / "deep" / "atomic.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(atomic.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode) == 0o644
    assert atomic.read_text() == "x"


def test_write_atomic_refuses_to_overwrite_and_names_the_file(tmp_path):
    target = tmp_path / "suite.json"
    target.write_text("keep me")
    with pytest.raises(ExpectationError, match="suite.json.*already exists.*overwrite=True"):
        write_atomic(target, "new", overwrite=False, error=ExpectationError)
    assert target.read_text() == "keep me"
    write_atomic(target, b"new")
    assert target.read_text() == "new"


def test_a_failing_writer_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "data.csv"
    target.write_text("old")

    def half_then_fail(tmp):
        tmp.write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, half_then_fail)
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv"]


def test_design_save_is_readable_by_the_group(tmp_path):
    old = os.umask(0o022)
    try:
        design = wb.PipelineDesign(name="perm_check")
        path = design.save(tmp_path / "design.yaml")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert wb.PipelineDesign.load(path) == design
    assert [p.name for p in tmp_path.iterdir()] == ["design.yaml"]


def test_a_replaced_file_keeps_its_own_permissions(tmp_path):
    secret = tmp_path / "design.yaml"
    secret.write_text("old")
    secret.chmod(0o600)
    write_atomic(secret, "new")
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600 and secret.read_text() == "new"
