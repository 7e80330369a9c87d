"""PII columns leave protected: hashed (salted SHA-256), masked or dropped in the dbt staging models and at capture."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess

import pytest

from workbench.design.export.dbt import project_from_design
from workbench.design.export.debezium import connector_config
from workbench.errors import TransformError
from workbench.session import open_workspace

SALT = "not-a-real-salt-7f3a"


def build(design, sample_dir):
    ws = open_workspace(None, sample_dir)
    result = project_from_design(design).build(ws)
    assert result.ok
    return ws


def test_staging_hashes_and_masks_pii_and_builds_the_same_rows(batch_design, sample_dir, monkeypatch):
    monkeypatch.setenv("PII_SALT", SALT)
    clear = batch_design.model_copy(deep=True)
    for f in clear.pii.fields:
        f.handling = "keep"
    plain, protected = build(clear, sample_dir), build(batch_design, sample_dir)
    for model in ("stg_customers", "dim_customers"):
        assert protected.row_count(model) == plain.row_count(model) > 0
    rows = protected.query("select s.email, s.full_name, c.email as raw from stg_customers s "
                           "join customers c using (customer_id) where c.email is not null")
    assert len(rows) > 0
    for email, full_name, raw in rows.itertuples(index=False):
        assert email == hashlib.sha256((SALT + raw.lower()).encode()).hexdigest()  # salted, after the model's lower()
        assert full_name in (None, "********")
    assert protected.scalar("select count(*) from customers where email is null") == protected.scalar(
        "select count(*) from stg_customers where email is null")  # a missing value stays missing


def test_the_salt_is_read_at_run_time_and_never_written(batch_design, tmp_path, monkeypatch):
    monkeypatch.setenv("PII_SALT", SALT)
    files = batch_design.export(tmp_path / "out", targets="dbt")
    text = {p: open(p, encoding="utf-8").read() for p in files["dbt"] if os.path.isfile(p)}
    assert not any(SALT in t for t in text.values())
    [stg] = [t for p, t in text.items() if p.endswith("stg_customers.sql")]
    assert "sha256('{{ env_var('PII_SALT') }}' || cast(\"email\" as varchar)) as \"email\"" in stg
    monkeypatch.delenv("PII_SALT")
    with pytest.raises(TransformError, match="PII_SALT"):
        project_from_design(batch_design).build(open_workspace(None, None))


def test_a_clear_value_check_runs_on_the_source(batch_design):
    proj = project_from_design(batch_design)
    [regex] = [t for t in proj.tests if "regexp_matches(email" in str(t.kwargs)]
    assert regex.target == "source:shop.customers"  # a hashed email never matches the e-mail pattern
    assert any(t.target == "stg_customers" and t.column == "customer_id" for t in proj.tests)


def test_a_dropped_column_leaves_the_staging_model(batch_design, sample_dir, monkeypatch):
    monkeypatch.setenv("PII_SALT", SALT)
    batch_design.pii.fields[1].handling = "drop"  # customers.full_name (dim_customers would now fail to read it)
    ws = open_workspace(None, sample_dir)
    assert project_from_design(batch_design).build(ws, select="stg_customers").ok
    assert "full_name" not in ws.columns("stg_customers") and "email" in ws.columns("stg_customers")


def test_log_based_capture_protects_pii_once_at_the_connector(streaming_design):
    assert streaming_design.cdc.method == "log"
    stg = project_from_design(streaming_design).models["stg_customers"].sql
    assert "sha256" not in stg  # the topics already carry the hash: the warehouse would hash it twice
    cfg = connector_config(streaming_design)["config"]
    assert cfg["column.mask.hash.v2.SHA-256.with.salt.${PII_SALT}"] == "public.customers.email"
    assert cfg["column.mask.with.8.chars"] == "public.customers.full_name"
    streaming_design.pii.fields[1].handling = "drop"
    cfg = connector_config(streaming_design)["config"]
    assert cfg["column.exclude.list"] == "public.customers.full_name" and "column.mask.with.8.chars" not in cfg


def test_register_script_substitutes_the_salt_only_when_it_registers(streaming_design, streaming_export, tmp_path):
    root = os.path.dirname(streaming_export["design"][0])
    script = os.path.join(root, "debezium", "register.sh")
    assert os.stat(script).st_mode & stat.S_IXUSR
    sent = tmp_path / "sent.json"
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "curl").write_text(f'#!/usr/bin/env bash\ncat > "{sent}"\necho "$@" >> "{sent}.args"\n')
    (fake / "curl").chmod(0o755)
    env = {**os.environ, "PATH": f"{fake}:{os.environ['PATH']}", "KAFKA_CONNECT_URL": "http://connect:8083"}
    env.pop("PII_SALT", None)
    refused = subprocess.run(["bash", script], env=env, capture_output=True, text=True)
    assert refused.returncode != 0 and "PII_SALT" in refused.stderr and not sent.exists()
    subprocess.run(["bash", script], env={**env, "PII_SALT": SALT}, check=True)
    config = json.loads(sent.read_text())
    assert config[f"column.mask.hash.v2.SHA-256.with.salt.{SALT}"] == "public.customers.email"
    name = streaming_design.cdc.connector_name
    assert f"http://connect:8083/connectors/{name}/config" in (tmp_path / "sent.json.args").read_text()
    connector = open(os.path.join(root, "debezium", f"{name}.json"), encoding="utf-8").read()
    assert SALT not in connector and "${PII_SALT}" in connector
