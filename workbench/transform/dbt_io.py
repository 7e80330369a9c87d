"""Read a standard dbt project folder into a TransformProject, and write one back that dbt builds.

``load_dbt_project(path)`` reads dbt_project.yml (paths, vars, ``models:``/``seeds:`` config trees),
models, property YAML (sources, model/seed docs, tests in ``tests:`` or ``data_tests:``), seeds,
macros, generic tests (``tests/generic``), singular tests and the .md files of docs blocks. ``export_dbt_project``
writes dbt_project.yml, a dbt-duckdb ``profiles.yml``, models, ``schema.yml``, seeds, macros and the dbt_utils
tests the project uses as local generic tests, so ``dbt build`` needs no packages. A project read from a folder
also gets every other file of it as it is (analyses, snapshots, exposures, selectors.yml, packages.yml...), and
what its property YAML holds besides models, seeds and sources (unit tests, exposures, semantic models); never
target/, logs/, dbt_packages/, .user.yml, hidden folders, virtualenvs or .duckdb files.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from workbench.errors import ExportError, TransformError
from workbench.files import write_atomic
from workbench.transform.project import inherited_config
from workbench.transform.spec import ColumnSpec, SingularTest, SourceTable, TestSpec, check_name

GENERIC_TESTS_DIR = Path(__file__).resolve().parent / "generic_tests"
DBT_UTILS_LOCAL = ("accepted_range", "expression_is_true", "unique_combination_of_columns")
#: dbt_project.yml keys the export writes itself (or drops: the pre-1.0 path names)
_REGENERATED_KEYS = {"name", "version", "config-version", "profile", "model-paths", "seed-paths", "macro-paths",
                     "test-paths", "source-paths", "data-paths", "vars", "models", "seeds", "flags"}
#: the warehouse files a dbt-duckdb build writes beside the project: not project source
_BUILD_OUTPUTS = (".duckdb", ".duckdb.wal")


def _yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise TransformError(f"{path}: invalid YAML: {exc}", hint="Fix the indentation or quoting there.") from None


def parse_test_entries(entries: list[Any] | None, target: str, column: str | None) -> list[TestSpec]:
    """dbt test entries (``- unique``, ``- accepted_values: {values: [...], config: {severity: warn}}``) -> specs."""
    out = []
    for entry in entries or []:
        if isinstance(entry, str):
            out.append(TestSpec(test=entry, target=target, column=column))
            continue
        if not isinstance(entry, dict) or not entry:
            raise TransformError(f"{target}: cannot read test entry {entry!r}.",
                                 hint="Write tests as '- unique' or '- accepted_values: {values: [...]}'.")
        if "test_name" in entry:
            test, args = entry["test_name"], {k: v for k, v in entry.items() if k != "test_name"}
        else:
            (test, args), = entry.items()
        args = dict(args or {})
        config = dict(args.pop("config", None) or {})
        args.update(args.pop("arguments", None) or {})
        severity = str(config.get("severity", args.pop("severity", "error"))).lower()
        where = config.get("where", args.pop("where", None))
        name = args.pop("name", None)
        col = args.pop("column_name", column)
        out.append(TestSpec(test=test, target=target, column=col, kwargs=args, severity=severity, where=where,
                            name=name or ""))
    return out


def _columns(entries: list[dict[str, Any]] | None, target: str) -> tuple[dict[str, ColumnSpec], list[TestSpec]]:
    cols, tests = {}, []
    for c in entries or []:
        name = c["name"]
        cols[name] = ColumnSpec(name=name, description=c.get("description") or "", data_type=c.get("data_type"))
        tests += parse_test_entries(c.get("data_tests") or c.get("tests"), target, name)
    return cols, tests


def _files(root: Path, dirs: list[str], suffixes: tuple[str, ...]) -> list[tuple[Path, Path]]:
    """(base dir, file) for every file with one of ``suffixes`` under the given project folders, sorted."""
    out = []
    for d in dirs:
        base = root / d
        if base.is_dir():
            out += [(base, p) for p in sorted(base.rglob("*")) if p.is_file() and p.suffix.lower() in suffixes]
    return out


def _paths(cfg: dict[str, Any], key: str, default: list[str]) -> list[str]:
    return list(cfg.get(key) or default)


def _docs_dirs(cfg: dict[str, Any]) -> list[str]:
    """Where dbt looks for docs blocks: ``docs-paths``, else every resource path."""
    if cfg.get("docs-paths"):
        return list(cfg["docs-paths"])
    dirs = [*_model_dirs(cfg), *_seed_dirs(cfg), *_paths(cfg, "analysis-paths", []), *_paths(cfg, "test-paths", ["tests"]),
            *_paths(cfg, "macro-paths", ["macros"]), *_paths(cfg, "snapshot-paths", ["snapshots"])]
    return list(dict.fromkeys(dirs))


def _model_dirs(cfg: dict[str, Any]) -> list[str]:
    return list(cfg.get("model-paths") or cfg.get("source-paths") or ["models"])


def _seed_dirs(cfg: dict[str, Any]) -> list[str]:
    return list(cfg.get("seed-paths") or cfg.get("data-paths") or ["seeds"])


def load_dbt_project(path: str | os.PathLike):
    """A TransformProject from a dbt project folder; raises TransformError naming the bad file."""
    from workbench.transform.project import TransformProject

    root = Path(path)
    cfg_path = root / "dbt_project.yml"
    if not cfg_path.exists():
        raise TransformError(f"{str(root)!r} is not a dbt project: dbt_project.yml is missing.",
                             hint="Point from_dbt() at the folder that holds dbt_project.yml.")
    cfg = _yaml(cfg_path)
    name = cfg.get("name") or root.name
    variables = {k: v for k, v in (cfg.get("vars") or {}).items() if not isinstance(v, dict) or k != name}
    variables.update((cfg.get("vars") or {}).get(name) or {})
    proj = TransformProject(name, vars=variables)
    proj.root = root
    proj.dbt_project = cfg
    model_dirs, seed_dirs = _model_dirs(cfg), _seed_dirs(cfg)
    macro_dirs, test_dirs = _paths(cfg, "macro-paths", ["macros"]), _paths(cfg, "test-paths", ["tests"])
    proj.folder_config = (cfg.get("models") or {}).get(name) or {}
    proj.seed_folder_config = (cfg.get("seeds") or {}).get(name) or {}

    where: dict[str, Path] = {}
    for base, f in _files(root, model_dirs, (".sql",)):
        model = f.stem
        check_name(model)
        if model in where:
            raise TransformError(
                f"Duplicate model name {model!r}: {where[model].relative_to(root)} and {f.relative_to(root)}.",
                hint="dbt model names are unique across folders; rename one of the files.")
        where[model] = f
        folder = f.parent.relative_to(base).as_posix()
        proj.add_model(model, f.read_text(encoding="utf-8"), folder="" if folder == "." else folder)

    for base, f in _files(root, seed_dirs, (".csv",)):
        seed = f.stem
        check_name(seed, "seed")
        if seed in where:
            raise TransformError(f"Duplicate node name {seed!r}: {where[seed].relative_to(root)} and "
                                 f"{f.relative_to(root)}.", hint="Model and seed names share one namespace.")
        where[seed] = f
        folder = f.parent.relative_to(base).as_posix()
        folder = "" if folder == "." else folder
        spec = proj.add_seed(seed, f, folder=folder)
        seed_cfg = inherited_config(proj.seed_folder_config, [p for p in folder.split("/") if p] + [seed])
        spec.config = seed_cfg
        spec.column_types = dict(seed_cfg.get("column_types") or {})

    for _, f in _files(root, [*model_dirs, *seed_dirs], (".yml", ".yaml")):
        _read_properties(proj, _yaml(f), f)

    for _base, f in _files(root, _docs_dirs(cfg), (".md",)):
        try:
            proj.doc_files[f.relative_to(root).as_posix()] = f.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            raise TransformError(f"{f}: not UTF-8 text.", hint="Save the docs file as UTF-8.") from None
    for _base, f in _files(root, macro_dirs, (".sql",)):
        proj.macros[f.relative_to(root).as_posix()] = f.read_text(encoding="utf-8")
    for base, f in _files(root, test_dirs, (".sql",)):
        rel = f.relative_to(root).as_posix()
        if "generic" in f.relative_to(base).parts[:-1]:
            proj.macros[rel] = f.read_text(encoding="utf-8")
        else:
            proj.singular_tests[f.stem] = SingularTest(name=check_name(f.stem, "test"),
                                                       sql=f.read_text(encoding="utf-8"), path=rel)
    proj._changed(macros=True)
    return proj


def _read_properties(proj: Any, doc: dict[str, Any], path: Path) -> None:
    if not isinstance(doc, dict):
        return
    for src in doc.get("sources") or []:
        sname = src["name"]
        for table in src.get("tables") or []:
            st = SourceTable(source=sname, name=table["name"], schema_name=src.get("schema") or sname,
                             identifier=table.get("identifier"), description=table.get("description") or "",
                             loaded_at_field=table.get("loaded_at_field") or src.get("loaded_at_field"),
                             freshness=table.get("freshness", src.get("freshness")))
            st.columns, tests = _columns(table.get("columns"), st.key)
            proj.sources[st.key] = st
            proj.tests += tests + parse_test_entries(table.get("data_tests") or table.get("tests"), st.key, None)
    for m in doc.get("models") or []:
        model = proj.models.get(m.get("name"))
        if model is None:
            continue
        model.description = m.get("description") or ""
        model.config.update(m.get("config") or {})
        model.columns, tests = _columns(m.get("columns"), model.name)
        proj.tests += tests + parse_test_entries(m.get("data_tests") or m.get("tests"), model.name, None)
    for s in doc.get("seeds") or []:
        seed = proj.seeds.get(s.get("name"))
        if seed is None:
            continue
        seed.description = s.get("description") or ""
        seed.config.update(s.get("config") or {})
        seed.column_types.update((s.get("config") or {}).get("column_types") or {})
        seed.columns, tests = _columns(s.get("columns"), seed.name)
        proj.tests += tests + parse_test_entries(s.get("data_tests") or s.get("tests"), seed.name, None)


# --- export ------------------------------------------------------------------------------------
def _test_entry(t: TestSpec, local: dict[str, str]) -> Any:
    test = local.get(t.test, t.test)
    args = dict(t.kwargs)
    config: dict[str, Any] = {}
    if t.severity != "error":
        config["severity"] = t.severity
    if t.where:
        config["where"] = t.where
    if config:
        args["config"] = config
    return {test: args} if args else test


def _properties(proj: Any, local: dict[str, str]) -> dict[str, Any]:
    by_target: dict[str, list[TestSpec]] = {}
    for t in proj.tests:
        by_target.setdefault(t.target, []).append(t)

    def columns(target: str, cols: dict[str, ColumnSpec]) -> list[dict[str, Any]]:
        names = list(cols) + [t.column for t in by_target.get(target, []) if t.column and t.column not in cols]
        out = []
        for c in dict.fromkeys(names):
            entry: dict[str, Any] = {"name": c}
            spec = cols.get(c)
            if spec and spec.description:
                entry["description"] = spec.description
            tests = [_test_entry(t, local) for t in by_target.get(target, []) if t.column == c]
            if tests:
                entry["data_tests"] = tests
            out.append(entry)
        return out

    def node(name: str, spec: Any, config: dict[str, Any]) -> dict[str, Any]:
        entry: dict[str, Any] = {"name": name}
        if spec.description:
            entry["description"] = spec.description
        if config:
            entry["config"] = config
        model_tests = [_test_entry(t, local) for t in by_target.get(name, []) if not t.column]
        if model_tests:
            entry["data_tests"] = model_tests
        cols = columns(name, spec.columns)
        if cols:
            entry["columns"] = cols
        return entry

    doc: dict[str, Any] = {"version": 2}
    sources: dict[str, dict[str, Any]] = {}
    for st in proj.sources.values():
        src = sources.setdefault(st.source, {"name": st.source, "schema": st.schema_name, "tables": []})
        table: dict[str, Any] = {"name": st.name}
        if st.identifier and st.identifier != st.name:
            table["identifier"] = st.identifier
        if st.description:
            table["description"] = st.description
        if st.loaded_at_field:
            table["loaded_at_field"] = st.loaded_at_field
        if st.freshness is not None:
            table["freshness"] = st.freshness
        table_tests = [_test_entry(t, local) for t in by_target.get(st.key, []) if not t.column]
        if table_tests:
            table["data_tests"] = table_tests
        cols = columns(st.key, st.columns)
        if cols:
            table["columns"] = cols
        src["tables"].append(table)
    if sources:
        doc["sources"] = list(sources.values())
    doc["models"] = [node(n, m, m.config) for n, m in sorted(proj.models.items())]
    seeds = [node(n, s, {"column_types": s.column_types} if s.column_types else {}) for n, s in sorted(proj.seeds.items())]
    if seeds:
        doc["seeds"] = seeds
    return doc


def _write(out: Path, rel: str, content: str | bytes) -> Path:
    target = (out / rel).resolve()
    if out.resolve() not in target.parents:
        raise ExportError(f"{rel!r} would be written outside the export folder {str(out)!r}.",
                          hint="Model, seed, macro and test names must be plain names inside the project.")
    return write_atomic(target, content)


def _norm(rel: str) -> str:
    return PurePosixPath(rel).as_posix().strip("/")


def _under(rel: str, dirs: list[str]) -> bool:
    return any(d in ("", ".") or rel == d or rel.startswith(d + "/") for d in map(_norm, dirs))


def _mapper(cfg: dict[str, Any]) -> Callable[[str], str]:
    """Source path -> export path: files under the model and seed paths move to models/ and seeds/, as models do."""
    bases = [(_norm(d), "models") for d in _model_dirs(cfg)] + [(_norm(d), "seeds") for d in _seed_dirs(cfg)]

    def mapped(rel: str) -> str:
        rel = _norm(rel)
        for base, to in bases:
            if base not in ("", ".") and (rel == base or rel.startswith(base + "/")):
                return to + rel[len(base):]
        return rel

    return mapped


def _project_yml(proj: Any, local_tests: bool) -> dict[str, Any]:
    """dbt_project.yml: what the export regenerates, then every other key of the source's own file."""
    src = proj.dbt_project
    mapped = _mapper(src)
    macro_paths = _paths(src, "macro-paths", ["macros"])
    if any(_under(rel, ["macros"]) for rel in proj.macros) and not _under("macros/x.sql", macro_paths):
        macro_paths.append("macros")
    test_paths = _paths(src, "test-paths", ["tests"])
    if (local_tests or proj.singular_tests) and "tests" not in map(_norm, test_paths):
        test_paths.append("tests")
    project: dict[str, Any] = {
        "name": proj.name, "version": src.get("version", "1.0.0"), "config-version": 2, "profile": proj.name,
        "model-paths": ["models"], "seed-paths": ["seeds"], "macro-paths": macro_paths, "test-paths": test_paths,
        "flags": {**(src.get("flags") or {}), "send_anonymous_usage_stats": False},
    }
    if proj.vars:
        project["vars"] = dict(proj.vars)
    for key, tree in (("models", proj.folder_config), ("seeds", proj.seed_folder_config)):
        others = {k: v for k, v in (src.get(key) or {}).items() if k != proj.name}
        if tree or others:
            project[key] = {**others, **({proj.name: tree} if tree else {})}
    for key, value in src.items():
        if key in project or key in _REGENERATED_KEYS:
            continue
        project[key] = [mapped(p) for p in value] if key.endswith("-paths") and isinstance(value, list) else value
    return project


def _carried(proj: Any, out: Path) -> tuple[list[tuple[str, str, bytes]], dict[str, dict[str, Any]]]:
    """The source project's files the export does not regenerate, as (source path, export path, bytes), and
    what is left of its property YAML once models, seeds and sources are taken out (by export path)."""
    root = Path(proj.root).resolve()
    if not root.is_dir():
        raise ExportError(f"The project's folder {str(root)!r} is gone: its docs, analyses and snapshots cannot "
                          "be carried.", hint="Restore the folder, or set proj.root = None to export only the project.")
    if out.resolve() == root:
        raise ExportError(f"Export folder {str(out)!r} is the folder the project was read from.",
                          hint="Export into another folder: the export would overwrite the project's own files.")
    cfg = proj.dbt_project
    mapped = _mapper(cfg)
    model_dirs, seed_dirs = _model_dirs(cfg), _seed_dirs(cfg)
    code_dirs, docs_dirs = [*_paths(cfg, "macro-paths", ["macros"]), *_paths(cfg, "test-paths", ["tests"])], _docs_dirs(cfg)
    skip = {_norm(cfg.get("target-path") or "target"), _norm(cfg.get("log-path") or "logs"),
            _norm(cfg.get("packages-install-path") or "dbt_packages"), "dbt_modules"}
    files: list[tuple[str, str, bytes]] = []
    yml: list[tuple[str, Path]] = []
    names: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        here = Path(dirpath)
        rel_dir = here.relative_to(root)
        if here.resolve() != root and root not in here.resolve().parents:
            raise ExportError(f"{here} links to {here.resolve()}, outside the project folder {str(root)!r}.",
                              hint="Replace the link with a copy of what it points to, or remove it.")
        loop = [here.resolve(), *(p for p in here.resolve().parents if p == root or root in p.parents)]
        dirnames[:] = sorted(d for d in dirnames if not (
            d.startswith(".") or d == "__pycache__" or _norm((rel_dir / d).as_posix()) in skip
            or (here / d / "pyvenv.cfg").exists() or (here / d).resolve() in (out.resolve(), *loop)))
        for name in sorted(filenames):
            rel, f = (rel_dir / name).as_posix(), here / name
            if name == ".user.yml" or rel in ("dbt_project.yml", "profiles.yml") or name.endswith(_BUILD_OUTPUTS):
                continue
            if not f.resolve().is_file() or root not in f.resolve().parents:
                raise ExportError(f"{f} links to {f.resolve()}, outside the project folder {str(root)!r}.",
                                  hint="Replace the link with a copy of the file, or remove it.")
            suffix = f.suffix.lower()
            if suffix in (".yml", ".yaml") and _under(rel, [*model_dirs, *seed_dirs]):
                yml.append((rel, f))
            elif (suffix == ".sql" and _under(rel, model_dirs)) or (suffix == ".csv" and _under(rel, seed_dirs)):
                names.add(f.stem)  # a model or seed: written from the project
            elif not ((suffix == ".sql" and _under(rel, code_dirs)) or (suffix == ".md" and _under(rel, docs_dirs))):
                files.append((rel, mapped(rel), f.read_bytes()))
    leftovers: dict[str, dict[str, Any]] = {}
    for rel, f in yml:
        doc = _yaml(f)
        rest = _unread_properties(doc, names) if isinstance(doc, dict) else doc
        if rest == doc:
            files.append((rel, mapped(rel), f.read_bytes()))
        elif set(rest) - {"version"}:
            leftovers[mapped(rel)] = rest
    return files, leftovers


def _unread_properties(doc: dict[str, Any], names: set[str]) -> dict[str, Any]:
    """A property file without what the loader reads (sources, and the entries of its models and seeds)."""
    rest = {k: v for k, v in doc.items() if k not in ("sources", "models", "seeds")}
    for key in ("models", "seeds"):
        kept = [e for e in doc.get(key) or [] if not isinstance(e, dict) or e.get("name") not in names]
        if kept:
            rest[key] = kept
    return rest


def export_dbt_project(proj: Any, path: str | os.PathLike, *, duckdb_path: str | None = None,
                       overwrite: bool = False) -> list[Path]:
    """Write ``proj`` as a dbt project folder, with every file of its source folder it does not regenerate;
    returns the files written."""
    out = Path(path)
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise ExportError(f"Export folder {str(out)!r} is not empty.",
                          hint="Pick an empty folder, or pass overwrite=True to replace the files there.")
    out.mkdir(parents=True, exist_ok=True)
    carried, leftovers = _carried(proj, out) if proj.root is not None else ([], {})
    used = {t.test.removeprefix("dbt_utils.") for t in proj.tests if t.test.removeprefix("dbt_utils.") in DBT_UTILS_LOCAL}
    defined = set(proj.renderer.macro_names)
    local = {f"dbt_utils.{n}": n for n in DBT_UTILS_LOCAL}
    local_tests = sorted(n for n in used if f"test_{n}" not in defined)
    plan: dict[str, str | bytes] = {
        "dbt_project.yml": yaml.safe_dump(_project_yml(proj, bool(local_tests)), sort_keys=False)}
    db = duckdb_path or "{{ env_var('DBT_DUCKDB_PATH', 'workbench.duckdb') }}"
    profile = {proj.name: {"target": "dev", "outputs": {"dev": {
        "type": "duckdb", "path": str(db), "schema": proj.schema, "threads": 1}}}}
    plan["profiles.yml"] = yaml.safe_dump(profile, sort_keys=False)
    for m in proj.models.values():
        check_name(m.name)
        plan[m.path] = m.sql if m.sql.endswith("\n") else m.sql + "\n"
    for s in proj.seeds.values():
        check_name(s.name, "seed")
        plan[s.path] = s.csv_text
    props = _properties(proj, local)
    for key, value in leftovers.pop("models/schema.yml", {}).items():
        if isinstance(value, list) and isinstance(props.get(key), list):
            props[key] = [*props[key], *value]
        else:
            props.setdefault(key, value)
    plan["models/schema.yml"] = yaml.safe_dump(props, sort_keys=False)
    plan.update(proj.macros)
    for t in proj.singular_tests.values():
        plan[t.path or f"tests/{t.name}.sql"] = t.sql
    for name in local_tests:
        plan[f"tests/generic/{name}.sql"] = (GENERIC_TESTS_DIR / f"{name}.sql").read_text(encoding="utf-8")
    mapped = _mapper(proj.dbt_project)
    extra = [(rel, mapped(rel), text) for rel, text in proj.doc_files.items()]
    extra += [(rel, rel, yaml.safe_dump(doc, sort_keys=False)) for rel, doc in leftovers.items()]
    origin: dict[str, str] = {}
    for src, rel, content in [*extra, *carried]:
        if rel in plan:
            other = f"{origin[rel]!r} of the source project" if rel in origin else "the file the export writes"
            raise ExportError(f"{src!r} of the source project would be exported as {rel!r}, over {other}.",
                              hint="Rename or move that file in the source project.")
        plan[rel], origin[rel] = content, src
    return [_write(out, rel, content) for rel, content in plan.items()]
