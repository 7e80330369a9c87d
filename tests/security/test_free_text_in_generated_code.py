"""Free text of a design (its title) is data in every generated file, never code (issue 18, group 2).

Hypothesis writes titles with quotes, triple quotes, backslashes, ``$()``, backticks, ``;``, newlines and
control characters; every generated Python file still parses with the title intact in its docstring, the
Kafka script passes ``bash -n`` and, run, creates no canary file; the HTML document escapes it.
"""

from __future__ import annotations

import ast
import os
import subprocess
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import workbench as wb

FIXTURES = Path(__file__).parents[1] / "design" / "fixtures"
PAYLOADS = ['"""; open("canary", "w") #', "$(touch canary)", "`touch canary`", "x\ntouch canary\n", "a\\", "\\N{",
            "'; touch canary; '", "\x00\r\x0b", "{{ 7 * 7 }}", "</title><script>alert(1)</script>"]
titles = st.one_of(st.sampled_from(PAYLOADS), st.text(max_size=40),
                   st.lists(st.sampled_from(PAYLOADS), min_size=2, max_size=4).map("".join))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=titles)
def test_a_hostile_title_stays_text_in_every_generated_file(title, tmp_path_factory):
    d = wb.PipelineDesign.load(FIXTURES / "streaming_design.yaml")
    d.title = title
    for tool in ("airflow", "prefect", "dagster"):
        d.orchestration.tool = tool
        out = tmp_path_factory.mktemp(tool)
        for path in d.export(out, targets=[tool]).get(tool, []):
            if path.endswith(".py"):
                tree = ast.parse(Path(path).read_text(encoding="utf-8"))  # a syntax error fails here
                assert ast.get_docstring(tree, clean=False).startswith(title), path
    out = tmp_path_factory.mktemp("kafka")
    script = out / "kafka" / "kafka-topics.sh"
    d.export(out, targets=["kafka"])
    assert subprocess.run(["bash", "-n", str(script)], capture_output=True).returncode == 0
    done = subprocess.run(["bash", str(script)], cwd=out, capture_output=True, text=True, timeout=60,
                          env={"PATH": os.environ["PATH"], "KAFKA_TOPICS_CMD": "true"})
    assert done.returncode == 0, done.stderr
    assert not (out / "canary").exists()


def test_the_html_document_escapes_the_title():
    d = wb.PipelineDesign.load(FIXTURES / "streaming_design.yaml")
    d.title = "</title><script>alert(1)</script>"
    from workbench.design.export.document import html

    page = html(d)
    assert "<script>alert(1)</script>" not in page and "&lt;/title&gt;&lt;script&gt;" in page
