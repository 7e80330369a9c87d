"""``workbench`` command line: thin subcommands over the same functions the notebooks call."""

from __future__ import annotations

import argparse
import sys

from workbench.errors import WorkbenchError


def _sample_data(args: argparse.Namespace) -> int:
    from workbench.sample_data import generate_sample_data

    m = generate_sample_data(args.out, scale=args.scale, seed=args.seed, fmt=args.format, events=not args.no_events)
    print(f"wrote {sum(m.rows.values()):,} rows to {args.out}: " + ", ".join(f"{k}={v:,}" for k, v in m.rows.items()))
    return 0


def _report(args: argparse.Namespace) -> int:
    from workbench.report import load_params, run_report

    result = run_report(args.out, load_params(args.params), notebooks_dir=args.notebooks, data_dir=args.data_dir,
                        cell_timeout=args.cell_timeout)
    print(f"executed {len(result.notebooks)} notebooks into {result.out_dir}")
    print(f"open the design report: {result.report_html}")
    return 0


def _profile(args: argparse.Namespace) -> int:
    import workbench as wb

    ws = wb.Workspace()
    for f in args.files:
        table = ws.load(f)
        p = wb.profile(ws, table)
        print(p.model_dump_json(indent=2) if args.json else p.summary())
    return 0


def _validate(args: argparse.Namespace) -> int:
    import workbench as wb

    ws = wb.Workspace()
    table = ws.load(args.file)
    suite = wb.Suite.from_gx_json(args.suite)
    try:
        result = wb.validate(ws, table, suite, gate=args.gate or "warn")
    except wb.QualityGateError as exc:  # strict gate: print every failure, then exit 1
        result = exc.result
    print(result.model_dump_json(indent=2) if args.json else result.summary())
    return 0 if result.success else 1


def _build(args: argparse.Namespace) -> int:
    import workbench as wb

    if args.data_dir:  # load the files the project's sources point at (e.g. the sample data)
        from workbench.session import open_workspace

        ws = open_workspace(args.workspace, args.data_dir)
    else:
        ws = wb.Workspace(args.workspace)
    result = wb.TransformProject.from_dbt(args.project).build(ws, select=args.select)
    print(result.summary())
    return 0 if result.ok else 1


def _export(args: argparse.Namespace) -> int:
    import workbench as wb

    design = wb.PipelineDesign.load(args.design)
    files = design.export(args.out, targets=args.target or None, overwrite=args.overwrite)
    for target, paths in files.items():
        for p in paths:
            print(f"{target}: {p}")
    return 0


def _app(args: argparse.Namespace) -> int:
    from workbench.app import run_app

    return run_app(args.port, open_browser=not args.no_browser, data_dir=args.data_dir, workspace=args.workspace, token=args.token)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workbench", description="Pipeline Workbench: design data pipelines with real data.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("sample-data", help="generate the deterministic e-commerce sample data")
    p.add_argument("--scale", type=int, default=1, help="1 = 2,000 orders; 5000 = 10M orders")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--out", default="sample_data")
    p.add_argument("--format", choices=["csv", "parquet"], default="csv")
    p.add_argument("--no-events", action="store_true", help="skip the change-event stream (faster at large scale)")
    p.set_defaults(func=_sample_data)

    p = sub.add_parser("report", help="run every step notebook with papermill and write the HTML design report")
    p.add_argument("--params", help="YAML file of notebook parameters (see params/report.example.yaml)")
    p.add_argument("--out", default="reports")
    p.add_argument("--data-dir", help="folder of data files (default: the bundled sample data)")
    p.add_argument("--notebooks", help="folder of step notebooks (default: the bundled workbench/notebooks/)")
    p.add_argument("--cell-timeout", type=int,
                   help="seconds a notebook cell may run before the report fails (default 600)")
    p.set_defaults(func=_report)

    p = sub.add_parser("profile", help="profile data files")
    p.add_argument("files", nargs="+")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_profile)

    p = sub.add_parser("validate", help="validate a file against an expectation suite; exit 1 when it fails")
    p.add_argument("file")
    p.add_argument("--suite", required=True, help="Great Expectations suite JSON (0.x or 1.x)")
    p.add_argument("--gate", choices=["strict", "warn", "sample"])
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_validate)

    p = sub.add_parser("build", help="build a dbt project in DuckDB")
    p.add_argument("project")
    p.add_argument("--select", default=None)
    p.add_argument("--workspace", default=None, help=".duckdb file to build into (default: in memory)")
    p.add_argument("--data-dir", default=None, help="load this folder's data files first, so sources resolve")
    p.set_defaults(func=_build)

    p = sub.add_parser("export", help="export a design's artifacts")
    p.add_argument("design", help="design YAML or JSON")
    p.add_argument("--out", required=True)
    p.add_argument("--target", action="append", help="export only this target (repeatable)")
    p.add_argument("--overwrite", action="store_true")
    p.set_defaults(func=_export)

    p = sub.add_parser("app", help="serve the dashboard (architecture simulator, profile explorer) with Voila")
    p.add_argument("--port", type=int, default=8866)
    p.add_argument("--no-browser", action="store_true", help="do not open a browser; just print the URL")
    p.add_argument("--data-dir", help="folder of data files (default: the bundled sample data)")
    p.add_argument("--workspace", help="saved .duckdb workspace to explore, opened read-only (default: --data-dir in memory)")
    p.add_argument("--token", help="access token (default: a random one, printed in the URL)")
    p.set_defaults(func=_app)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except WorkbenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
