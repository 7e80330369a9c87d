"""The kernel manager ``workbench report`` hands papermill: it polls the kernel's replies in short slices.

jupyter_client's asyncio channels wait for a reply with one ``socket.poll(timeout)``. Under pyzmq's
edge-triggered asyncio poller that wait can miss the wake-up for a message that has already arrived,
and then it sleeps for the whole timeout before its final check finds the message. We saw it in the
report: the architecture notebook's widget cell got its reply in 0.7 s but papermill waited the full
600 s cell timeout and then carried on as if nothing had happened. Polling in one-second slices bounds a missed
wake-up to one slice; the overall timeout is unchanged.
"""

from __future__ import annotations

from queue import Empty
from time import monotonic
from typing import Any

from jupyter_client.asynchronous.client import AsyncKernelClient
from jupyter_client.channels import AsyncZMQSocketChannel
from jupyter_client.manager import AsyncKernelManager
from traitlets import DottedObjectName, Type

#: longest a message may wait unnoticed (seconds)
POLL_SLICE = 1.0


class SlicedPollChannel(AsyncZMQSocketChannel):
    """An asyncio channel whose ``get_msg`` re-polls every ``POLL_SLICE`` seconds until its timeout."""

    async def get_msg(self, timeout: float | None = None) -> dict[str, Any]:  # type: ignore[override]
        deadline = None if timeout is None else monotonic() + timeout
        while True:
            wait = POLL_SLICE if deadline is None else max(0.0, min(POLL_SLICE, deadline - monotonic()))
            if await self.socket.poll(int(wait * 1000)):
                return await self._recv()
            if deadline is not None and monotonic() >= deadline:
                raise Empty


class ReportKernelClient(AsyncKernelClient):
    shell_channel_class = Type(SlicedPollChannel)  # type: ignore[assignment]
    iopub_channel_class = Type(SlicedPollChannel)  # type: ignore[assignment]


class ReportKernelManager(AsyncKernelManager):
    # client() builds from client_factory; client_class only updates it when set on an instance
    client_class = DottedObjectName("workbench.report_kernel.ReportKernelClient")
    client_factory = Type(klass=ReportKernelClient)
