"""Run GX 1.x suites on CSV files with real Great Expectations (pandas datasource, ephemeral context).

Runs inside the peer venv (the workbench never imports GX):
    python gx_runner.py JOBS.json
JOBS.json is a list of {"data": CSV, "dates": [columns], "suite": GX 1.x suite dict, "out": JSON path}.
Each output holds one record per expectation (by its suite position): success, unexpected_count, observed_value.
"""

import json
import sys

import great_expectations as gx
import pandas as pd
from great_expectations.expectations.expectation_configuration import ExpectationConfiguration


def run(context, job, n):
    df = pd.read_csv(job["data"], parse_dates=job.get("dates") or False)
    batch = (context.data_sources.add_pandas(f"pandas{n}").add_dataframe_asset(name="data")
             .add_batch_definition_whole_dataframe("all").get_batch(batch_parameters={"dataframe": df}))
    suite = context.suites.add(gx.ExpectationSuite(name=f"{job['suite']['name']}_{n}"))
    for i, item in enumerate(job["suite"]["expectations"]):
        cfg = ExpectationConfiguration(type=item["type"], kwargs=item["kwargs"], meta={"position": i})
        suite.add_expectation(cfg.to_domain_obj())
    result = batch.validate(suite, result_format="SUMMARY")
    out = []
    for r in result.results:
        res = r.result or {}
        observed = res.get("observed_value")
        if not isinstance(observed, int | float | str | list | type(None)):
            observed = str(observed)
        out.append({"position": r.expectation_config.meta["position"], "type": r.expectation_config.type,
                    "success": bool(r.success), "unexpected_count": res.get("unexpected_count"),
                    "unexpected_percent": res.get("unexpected_percent"), "observed_value": observed,
                    "exception": (r.exception_info or {}).get("exception_message")})
    out.sort(key=lambda x: x["position"])
    with open(job["out"], "w") as fh:
        json.dump({"gx_version": gx.__version__, "results": out}, fh, default=str)


def main(jobs_path):
    with open(jobs_path) as fh:
        jobs = json.load(fh)
    context = gx.get_context(mode="ephemeral")
    for n, job in enumerate(jobs):
        run(context, job, n)


if __name__ == "__main__":
    main(sys.argv[1])
