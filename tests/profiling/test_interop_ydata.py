"""Our figures agree with ydata-profiling's on the sample orders (ydata runs in its own venv, via files)."""

from __future__ import annotations

import json
import math

import pytest

from workbench.profiling import profile

pytestmark = [pytest.mark.interop, pytest.mark.slow]

#: ydata-profiling still imports pkg_resources, which setuptools 81 removed
YDATA_REQUIREMENTS = ["ydata-profiling", "setuptools<81", "pyarrow"]

SCRIPT = """
import json, sys
import pandas as pd
from ydata_profiling import ProfileReport
df = pd.read_csv(sys.argv[1])
desc = json.loads(ProfileReport(df, minimal=True, progress_bar=False).to_json())
keep = ("n_missing", "n_distinct", "mean", "std", "min", "max", "n_zeros", "n_negative")
out = {name: {k: v.get(k) for k in keep} for name, v in desc["variables"].items()}
out["__table__"] = {"n": desc["table"]["n"], "n_duplicates": desc["table"].get("n_duplicates")}
print("RESULT " + json.dumps(out))
"""


def test_numeric_figures_match_ydata(sample_ws, sample_dir, tmp_path):
    from peers import peer_python, run_peer

    py = peer_python("ydata", YDATA_REQUIREMENTS)
    script = tmp_path / "ydata_orders.py"
    script.write_text(SCRIPT)
    proc = run_peer(py, [str(py), str(script), str(sample_dir / "orders.csv")], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    theirs = json.loads(next(ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT "))[7:])
    ours = profile(sample_ws, "orders")
    assert theirs["__table__"]["n"] == ours.row_count
    for name in ("order_id", "customer_id", "store_id", "total_amount"):
        c, y = ours.columns[name], theirs[name]
        assert (c.null_count, c.distinct_count) == (y["n_missing"], y["n_distinct"]), name
        assert (c.zero_count, c.negative_count) == (y["n_zeros"], y["n_negative"]), name
        assert math.isclose(c.mean, y["mean"]) and math.isclose(c.std, y["std"]), name
        assert math.isclose(c.min, y["min"]) and math.isclose(c.max, y["max"]), name
    assert theirs["status"]["n_distinct"] == ours.columns["status"].distinct_count
