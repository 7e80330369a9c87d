"""The report's kernel channels: a message is returned when it arrives, Empty only after the whole timeout."""

from __future__ import annotations

import asyncio
import time
from queue import Empty

import pytest
import zmq
import zmq.asyncio
from jupyter_client.session import Session

from workbench.report_kernel import POLL_SLICE, ReportKernelClient, ReportKernelManager, SlicedPollChannel


def test_sliced_poll_returns_messages_and_times_out_only_at_the_deadline():
    async def scenario():
        ctx = zmq.asyncio.Context()
        a, b = ctx.socket(zmq.PAIR), ctx.socket(zmq.PAIR)
        a.bind("inproc://report-kernel-test")
        b.connect("inproc://report-kernel-test")
        session = Session(key=b"")
        channel = SlicedPollChannel(b, session)
        try:
            started = time.monotonic()
            with pytest.raises(Empty):
                await channel.get_msg(timeout=POLL_SLICE * 1.5)  # spans two slices
            waited = time.monotonic() - started

            async def reply_later():
                await asyncio.sleep(POLL_SLICE * 1.2)  # lands in the second slice
                session.send(a, "execute_reply", {"status": "ok"})

            sender = asyncio.ensure_future(reply_later())
            msg = await channel.get_msg(timeout=30)
            await sender
            return waited, msg
        finally:
            a.close(0)
            b.close(0)
            ctx.term()

    waited, msg = asyncio.run(scenario())
    assert POLL_SLICE * 1.5 <= waited < POLL_SLICE * 1.5 + 1
    assert (msg["msg_type"], msg["content"]) == ("execute_reply", {"status": "ok"})


def test_the_report_kernel_manager_hands_out_sliced_channels():
    km = ReportKernelManager()
    assert km.client_class == "workbench.report_kernel.ReportKernelClient"
    kc = km.client()  # what nbclient calls
    assert type(kc) is ReportKernelClient
    assert kc.shell_channel_class is SlicedPollChannel and kc.iopub_channel_class is SlicedPollChannel
