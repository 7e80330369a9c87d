"""Re-execute notebooks in place and keep only the outputs nbval pins.

A committed notebook carries no saved widget state and no outputs except those of cells whose
source contains ``# NBVAL_CHECK_OUTPUT`` (nbval --nbval-lax compares exactly those). Run from the
repository root:  python tools/nb_refresh.py workbench/notebooks/01_profile.ipynb [...]
A notebook may be given as a jupytext percent script (``.py``): it becomes ``workbench/notebooks/<stem>.ipynb``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

CHECK = "NBVAL_CHECK_OUTPUT"
NOTEBOOKS = Path(__file__).resolve().parents[1] / "workbench" / "notebooks"


def refresh(path: Path) -> Path:
    if path.suffix == ".py":
        import jupytext

        nb = jupytext.read(path)
        path = NOTEBOOKS / path.with_suffix(".ipynb").name
    else:
        nb = nbformat.read(path, as_version=4)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        if CHECK not in cell.source:
            cell.outputs = []
            cell.execution_count = None
        else:
            for out in cell.outputs:
                out.pop("metadata", None) if not out.get("metadata") else None
    nb.metadata.pop("widgets", None)
    nb.metadata.pop("jupytext", None)
    tmp = path.with_name(path.name + ".tmp")
    nbformat.write(nb, tmp)
    os.replace(tmp, path)
    return path


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        print("refreshed", refresh(Path(arg)))
