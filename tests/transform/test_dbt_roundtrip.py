"""The dbt round trip keeps everything: a real project exported unchanged carries every file it does not
rewrite (docs blocks, analyses, snapshots, macro properties, exposures, unit tests, selectors, packages,
.sqlfluff) and builds in real dbt; descriptions using doc() render in our own project."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
import yaml
from peers import peer_python, run_peer
from test_transform_interop import DBT_REQUIREMENTS, dbt_build

import workbench as wb
from workbench.errors import ExportError, TransformError
from workbench.transform import TransformProject

FIXTURE = Path(__file__).parent / "fixtures" / "jaffle_shop_docs"
#: what the export writes from the project itself (the rest of the fixture is carried as it is)
REWRITTEN = {"dbt_project.yml", "models/schema.yml", "models/staging/schema.yml"}


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def source(tmp_path) -> Path:
    """A writable copy of the fixture project."""
    return Path(shutil.copytree(FIXTURE, tmp_path / "src"))


def test_export_writes_every_file_it_does_not_rewrite_byte_identical(tmp_path):
    out = tmp_path / "out"
    written = TransformProject.from_dbt(FIXTURE).export_dbt(out)
    ours, theirs = tree(out), tree(FIXTURE)
    assert {p.relative_to(out.resolve()).as_posix() for p in written} == set(ours)
    assert set(ours) == set(theirs) | {"profiles.yml"}
    changed = {rel for rel in theirs if ours[rel] != theirs[rel]}
    assert changed == REWRITTEN
    for kept in ("models/docs.md", "models/exposures.yml", "analyses/top_customers.sql", "macros/macros.yml",
                 "snapshots/orders_snapshot.sql", "selectors.yml", "packages.yml", ".sqlfluff"):
        assert kept in ours


def test_rewritten_files_keep_what_they_do_not_regenerate(tmp_path):
    TransformProject.from_dbt(FIXTURE).export_dbt(tmp_path)
    project = yaml.safe_load((tmp_path / "dbt_project.yml").read_text())
    assert project["analysis-paths"] == ["analyses"] and project["snapshot-paths"] == ["snapshots"]
    assert project["snapshots"] == {"jaffle_shop": {"+target_schema": "snapshots"}}
    assert project["require-dbt-version"] == ">=1.9.0"
    staging = yaml.safe_load((tmp_path / "models" / "staging" / "schema.yml").read_text())
    assert set(staging) == {"version", "unit_tests"}  # its models moved to models/schema.yml
    assert staging["unit_tests"][0]["model"] == "stg_orders"
    props = yaml.safe_load((tmp_path / "models" / "schema.yml").read_text())
    customers = next(m for m in props["models"] if m["name"] == "customers")
    ltv = next(c for c in customers["columns"] if c["name"] == "customer_lifetime_value")
    assert ltv["description"] == '{{ doc("customer_lifetime_value") }}'


def test_build_outputs_and_local_state_are_not_carried(source, tmp_path):
    for rel in ("target/manifest.json", "logs/dbt.log", "dbt_packages/dbt_utils/dbt_project.yml", ".user.yml",
                "profiles.yml", ".git/HEAD", ".venv/pyvenv.cfg", "venv/pyvenv.cfg", "jaffle.duckdb",
                "models/__pycache__/x.pyc"):
        (source / rel).parent.mkdir(parents=True, exist_ok=True)
        (source / rel).write_text("local state\n")
    (source / "dependencies.yml").write_text("packages: []\n")
    (source / "seeds" / "README.md").write_text("The raw tables of the shop.\n")
    out = tmp_path / "out"
    TransformProject.from_dbt(source).export_dbt(out)
    files = tree(out)
    assert set(files) == set(tree(FIXTURE)) | {"profiles.yml", "dependencies.yml", "seeds/README.md"}
    assert b"local state" not in files["profiles.yml"]


def test_links_inside_the_project_are_copied_and_links_outside_refused(source, tmp_path):
    os.symlink(source / "analyses" / "top_customers.sql", source / "analyses" / "same_query.sql")
    TransformProject.from_dbt(source).export_dbt(tmp_path / "inside")
    copied = tmp_path / "inside" / "analyses" / "same_query.sql"
    assert not copied.is_symlink() and copied.read_bytes() == (source / "analyses" / "top_customers.sql").read_bytes()

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.sql").write_text("select 1\n")
    os.symlink(outside / "secret.sql", source / "analyses" / "secret.sql")
    with pytest.raises(ExportError, match=r"secret\.sql links to .*outside the project folder"):
        TransformProject.from_dbt(source).export_dbt(tmp_path / "file_link")
    (source / "analyses" / "secret.sql").unlink()
    os.symlink(outside, source / "analyses" / "shared")
    with pytest.raises(ExportError, match=r"shared links to .*outside the project folder"):
        TransformProject.from_dbt(source).export_dbt(tmp_path / "dir_link")


def test_export_into_its_own_folder_or_over_a_carried_file_is_refused(source, tmp_path):
    with pytest.raises(ExportError, match="is the folder the project was read from"):
        TransformProject.from_dbt(source).export_dbt(source, overwrite=True)
    inner = source / "exports" / "first"
    TransformProject.from_dbt(source).export_dbt(inner)
    assert not (inner / "exports").exists()  # the export folder is not carried into itself
    shutil.rmtree(source / "exports")
    (source / "dbt_project.yml").write_text((FIXTURE / "dbt_project.yml").read_text().replace(
        'model-paths: ["models"]', 'model-paths: ["transform"]'))
    (source / "models").rename(source / "transform")
    (source / "models").mkdir()
    (source / "models" / "docs.md").write_text("not a docs block\n")  # models/ is no model path here
    with pytest.raises(ExportError, match=r"'models/docs.md' of the source project would be exported as "
                       r"'models/docs.md', over 'transform/docs.md' of the source project"):
        TransformProject.from_dbt(source).export_dbt(tmp_path / "clash")


def test_custom_paths_move_with_the_models(tmp_path):
    src = tmp_path / "src"
    (src / "transform" / "docs").mkdir(parents=True)
    (src / "dbt_project.yml").write_text("name: custom\nprofile: custom\nmodel-paths: [transform]\n"
                                         "docs-paths: [transform/docs]\n")
    (src / "transform" / "m.sql").write_text("select 1 as id\n")
    (src / "transform" / "m.yml").write_text("version: 2\nmodels:\n  - name: m\n    description: '{{ doc(\"m\") }}'\n")
    (src / "transform" / "docs" / "m.md").write_text("{% docs m %}\nOne row.\n{% enddocs %}\n")
    (src / "transform" / "notes.txt").write_text("kept\n")
    proj = TransformProject.from_dbt(src)
    assert proj.describe("m") == "One row."
    proj.export_dbt(tmp_path / "out")
    project = yaml.safe_load((tmp_path / "out" / "dbt_project.yml").read_text())
    assert project["model-paths"] == ["models"] and project["docs-paths"] == ["models/docs"]
    assert (tmp_path / "out" / "models" / "docs" / "m.md").read_bytes() == (src / "transform/docs/m.md").read_bytes()
    assert (tmp_path / "out" / "models" / "notes.txt").read_text() == "kept\n"
    assert not (tmp_path / "out" / "models" / "m.yml").exists()  # its model is in models/schema.yml
    assert TransformProject.from_dbt(tmp_path / "out").describe("m") == "One row."


def test_doc_descriptions_render_and_leave_build_and_lineage_alone():
    proj = TransformProject.from_dbt(FIXTURE)
    assert set(proj.docs) == {"__overview__", "customer_lifetime_value", "orders_status", "payment_amount"}
    assert proj.describe("customers", "customer_lifetime_value") == (
        "Total paid by the customer over all their orders, in dollars.")
    assert proj.describe("orders", "status").startswith("One of the following values:")
    assert proj.describe("customers").startswith("This table has basic information")
    ws = wb.Workspace()
    assert proj.build(ws).ok
    edges = proj.column_lineage("customers", "customer_lifetime_value", ws).edges
    assert any(e.model == "stg_payments" and e.column == "amount" for e in edges)


def test_doc_errors_name_the_block_and_the_fix(source):
    proj = TransformProject.from_dbt(source)
    proj.models["customers"].description = "{{ doc('customer_lifetime_valu') }}"
    with pytest.raises(TransformError, match=r"'customers'.*doc\('customer_lifetime_valu'\) is not defined") as exc:
        proj.describe("customers")
    assert "customer_lifetime_value" in exc.value.hint and "{% docs customer_lifetime_valu %}" in exc.value.hint
    (source / "models" / "more_docs.md").write_text("{% docs payment_amount %}\nAgain.\n{% enddocs %}\n")
    with pytest.raises(TransformError, match=r"'payment_amount' is defined twice.*staging_docs\.md"):
        TransformProject.from_dbt(source).describe("customers")


@pytest.mark.interop
@pytest.mark.slow
def test_exported_project_builds_and_documents_in_real_dbt(tmp_path):
    py = peer_python("dbt", DBT_REQUIREMENTS)
    proj = TransformProject.from_dbt(FIXTURE)
    out = tmp_path / "dbt_project"
    proj.export_dbt(out, duckdb_path=str(tmp_path / "jaffle.duckdb"))

    results = dbt_build(py, out)
    statuses = {r["unique_id"]: r["status"] for r in results["results"]}
    assert statuses.pop("exposure.jaffle_shop.customer_dashboard") == "no-op"
    assert set(statuses.values()) <= {"success", "pass"}, statuses
    assert "snapshot.jaffle_shop.orders_snapshot" in statuses
    assert "unit_test.jaffle_shop.stg_orders.stg_orders_renames_the_raw_columns" in statuses

    env = {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DBT_LOG_PATH": str(out / "logs"),
           "DBT_TARGET_PATH": str(out / "target")}
    docs = run_peer(py, [str(py.parent / "dbt"), "docs", "generate", "--project-dir", str(out), "--profiles-dir",
                         str(out)], cwd=out, env=env, timeout=600)
    assert docs.returncode == 0, docs.stdout[-4000:]
    manifest = json.loads((out / "target" / "manifest.json").read_text())
    columns = manifest["nodes"]["model.jaffle_shop.customers"]["columns"]
    assert columns["customer_lifetime_value"]["description"] == proj.describe("customers", "customer_lifetime_value")
    assert manifest["nodes"]["model.jaffle_shop.orders"]["columns"]["status"]["description"] == (
        proj.describe("orders", "status"))
    assert "analysis.jaffle_shop.top_customers" in manifest["nodes"]
    assert "exposure.jaffle_shop.customer_dashboard" in manifest["exposures"]
    assert "marts" in manifest["selectors"]
