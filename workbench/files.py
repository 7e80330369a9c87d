"""Atomic file writes: a reader sees the old file or the new one, never half of either.

Every file the workbench writes for a user goes through :func:`write_atomic`: the content goes to a
uniquely named temporary file in the target's folder and is renamed over the target in one step, with
the permissions a plain ``open(path, "w")`` would give: the replaced file's own, else the process
umask's (not ``mkstemp``'s 0600).
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Callable
from pathlib import Path

from workbench.errors import WorkbenchError


def write_atomic(path: str | os.PathLike, content: str | bytes | Callable[[Path], None], *,
                 overwrite: bool = True, error: type[WorkbenchError] = WorkbenchError) -> Path:
    """Write ``content`` (text, bytes, or a function that writes the given temporary path) to ``path``.

    Creates missing parent folders. With ``overwrite=False`` an existing file is left alone and
    ``error`` is raised naming it. On any failure the temporary file is removed and the target untouched.
    """
    target = Path(path)
    if not overwrite and target.exists():
        raise error(f"File {str(target)!r} already exists.", hint="Pass overwrite=True to replace it.")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    # mode 0o666 lets the kernel apply the umask, as open(path, "w") does; a replaced file keeps its own mode
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        if target.exists():
            os.fchmod(fd, stat.S_IMODE(target.stat().st_mode))
        if callable(content):
            os.close(fd)
            content(tmp)
        else:
            data = content.encode("utf-8") if isinstance(content, str) else content
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target
