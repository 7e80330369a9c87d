"""Bad input: every mistake is a TransformError (or an error node) naming the model, file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import workbench as wb
from workbench.errors import ExportError, TransformError
from workbench.transform import TransformProject

JAFFLE = Path(__file__).parent / "fixtures" / "jaffle_shop"


def project(**models: str) -> TransformProject:
    proj = TransformProject("bad")
    for name, sql in models.items():
        proj.add_model(name, sql)
    return proj


def test_sql_syntax_error_names_model_line_and_duckdbs_message():
    proj = project(a="select 1 as x", b="select x\nfrom {{ ref('a') }}\nwher x = 1", c="select * from {{ ref('b') }}")
    r = proj.build(wb.Workspace())
    assert not r.ok
    assert r["b"].status == "error"
    assert r["b"].message == ("Model 'b' (models/b.sql), line 3 `wher x = 1`: "
                              'Parser Error: syntax error at or near "x"')
    assert r["c"].status == "skipped" and "upstream 'b' error" in r["c"].message
    assert r["a"].status == "success"


def test_binder_error_reports_the_line_of_the_model_file_after_jinja():
    proj = project(a="{{ config(materialized='table') }}\nselect 1 as x", b="select\n  y\nfrom {{ ref('a') }}")
    r = proj.build(wb.Workspace())
    assert r["b"].message.startswith("Model 'b' (models/b.sql), line 2 `y`: Binder Error: Referenced column \"y\" not found")


def test_ref_to_a_missing_model_suggests_the_nearest_names():
    proj = project(stg_orders="select 1 as id", fct_orders="select *\nfrom {{ ref('stg_order') }}")
    with pytest.raises(TransformError) as err:
        proj.build(wb.Workspace())
    msg = str(err.value)
    assert "Model 'fct_orders' (models/fct_orders.sql), line 2: ref('stg_order'): no model or seed named 'stg_order'" in msg
    assert "Did you mean 'stg_orders'" in msg


def test_cycle_is_an_error_that_names_the_cycle():
    proj = project(a="select * from {{ ref('c') }}", b="select * from {{ ref('a') }}", c="select * from {{ ref('b') }}",
                   d="select 1")
    with pytest.raises(TransformError, match=r"The models form a cycle: (\w -> ){3}\w\.") as err:
        proj.build(wb.Workspace())
    cycle = str(err.value).split(": ")[1].split(".")[0].split(" -> ")
    assert cycle[0] == cycle[-1] and set(cycle) == {"a", "b", "c"}


def test_self_reference_is_a_cycle():
    with pytest.raises(TransformError, match="cycle: a -> a"):
        project(a="select * from {{ ref('a') }}").build(wb.Workspace())


def test_unknown_macro_names_model_and_line():
    proj = project(m="select 1 as a,\n  {{ cents_to_dolars('a') }} as b")
    proj.add_macro("money.sql", "{% macro cents_to_dollars(c) %}{{ c }} / 100{% endmacro %}")
    with pytest.raises(TransformError) as err:
        proj.build(wb.Workspace())
    assert str(err.value).startswith("Model 'm' (models/m.sql), line 2: Jinja error: 'cents_to_dolars' is undefined")
    assert "Did you mean 'cents_to_dollars'?" in str(err.value)


def test_unknown_variable_and_missing_var_and_env_var():
    with pytest.raises(TransformError, match=r"Model 'm' \(models/m.sql\), line 1: Jinja error: 'colour' is undefined"):
        project(m="select '{{ colour }}' as c").build(wb.Workspace())
    with pytest.raises(TransformError, match=r"line 2: Required var 'start_date' is not set"):
        project(m="select\n'{{ var(\"start_date\") }}' as d").build(wb.Workspace())
    with pytest.raises(TransformError, match=r"Environment variable 'WB_NOT_SET_ANYWHERE' is not set"):
        project(m="select '{{ env_var(\"WB_NOT_SET_ANYWHERE\") }}' as d").build(wb.Workspace())


def test_jinja_syntax_error_names_model_and_line():
    with pytest.raises(TransformError, match=r"Model 'm' \(models/m.sql\), line 3: Jinja syntax error"):
        project(m="select 1\n{% if true %}\n, 2 {% endfor %}").build(wb.Workspace())


def test_error_inside_a_macro_names_the_macro_file():
    proj = project(m="select\n{{ boom() }} as x")
    proj.add_macro("boom.sql", "{% macro boom() %}\n{{ missing_thing }}\n{% endmacro %}")
    with pytest.raises(TransformError, match=r"line 2 \(in macros/boom.sql, line 2\): Jinja error: 'missing_thing'"):
        proj.build(wb.Workspace())


def test_sandbox_refuses_python_internals():
    with pytest.raises(TransformError, match="unsafe|not safely|access"):
        project(m="select '{{ ref.__globals__ }}' as x").build(wb.Workspace())


def test_duplicate_model_names_in_a_dbt_folder(tmp_path):
    dest = tmp_path / "dup"
    shutil.copytree(JAFFLE, dest)
    (dest / "models" / "marts").mkdir()
    (dest / "models" / "marts" / "orders.sql").write_text("select 1 as x\n")
    with pytest.raises(TransformError, match=r"Duplicate model name 'orders': models/marts/orders.sql and models/orders.sql"):
        TransformProject.from_dbt(dest)


def test_model_and_seed_with_one_name_are_refused():
    proj = TransformProject("dup")
    proj.add_seed("things", "id\n1\n")
    with pytest.raises(TransformError, match="same name as a seed"):
        proj.add_model("things", "select 1")


@pytest.mark.parametrize("name", ["../x", "a/b", "..", "x.sql", "", "con fig"])
def test_model_names_that_could_escape_the_export_folder_are_refused(name):
    with pytest.raises(TransformError, match="Invalid model name"):
        TransformProject().add_model(name, "select 1")


@pytest.mark.parametrize("folder", ["../outside", "/abs", "a/../../b", "c:/x"])
def test_folders_that_escape_the_project_are_refused(folder):
    with pytest.raises(TransformError, match="Invalid model folder"):
        TransformProject().add_model("m", "select 1", folder=folder)


def test_export_refuses_a_non_empty_folder(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(ExportError, match="is not empty"):
        project(m="select 1").export_dbt(tmp_path)
    assert (tmp_path / "keep.txt").read_text() == "mine"


def test_export_refuses_a_macro_path_outside_the_folder(tmp_path):
    proj = project(m="select 1")
    proj.macros["../../evil.sql"] = "{% macro x() %}{% endmacro %}"
    with pytest.raises(ExportError, match="outside the export folder"):
        proj.export_dbt(tmp_path / "out")
    assert not (tmp_path / "evil.sql").exists()


def test_a_model_may_not_overwrite_a_source_table():
    ws = wb.Workspace()
    ws.con.execute("CREATE TABLE orders AS SELECT 1 AS id")
    proj = TransformProject("clash")
    proj.add_source("shop", ["orders"])
    proj.add_model("orders", "select * from {{ source('shop', 'orders') }}")
    with pytest.raises(TransformError, match="would overwrite the source table main.orders"):
        proj.build(ws)


def test_unknown_source_and_unknown_selector():
    with pytest.raises(TransformError, match=r"source\('shop', 'ordrs'\) is not defined"):
        project(m="select * from {{ source('shop', 'ordrs') }}").build(wb.Workspace())
    proj = project(stg_orders="select 1 as x")
    with pytest.raises(TransformError, match="no model or seed named 'stg_order'. Did you mean 'stg_orders'"):
        proj.build(wb.Workspace(), select="stg_order+")


def test_unknown_materialization_and_test():
    with pytest.raises(TransformError, match="unknown materialization 'tabel'"):
        TransformProject().add_model("m", "select 1", materialized="tabel")
    proj = project(m="select 1 as x")
    proj.add_test("is_even", "m", "x")
    r = proj.build(wb.Workspace())
    assert r["is_even_m_x"].status == "error" and "unknown test 'is_even'" in r["is_even_m_x"].message
