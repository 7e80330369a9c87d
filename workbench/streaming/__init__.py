"""Streaming event time in DuckDB: windows, watermarks and late data, replayed as Spark Structured Streaming
defines them (``replay_windows``), and the watermark delay chosen from the stream's lateness
(``profile_lateness``, ``watermark_tradeoff``)."""

from workbench.streaming.calibrate import StreamRate, measure_stream_job
from workbench.streaming.files import split_stream
from workbench.streaming.join import StreamJoin, enrich_stream
from workbench.streaming.lateness import LatenessProfile, TradeoffPoint, profile_lateness, watermark_tradeoff
from workbench.streaming.windows import WindowReplay, WindowSpec, replay_windows

__all__ = ["StreamRate", "measure_stream_job", "StreamJoin", "enrich_stream", "LatenessProfile", "TradeoffPoint", "WindowReplay", "WindowSpec", "profile_lateness", "replay_windows",
           "split_stream", "watermark_tradeoff"]
