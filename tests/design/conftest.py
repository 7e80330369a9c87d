"""Design fixtures: two committed designs of the sample shop (batch-grade and streaming-grade)."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.design import PipelineDesign

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def batch_design() -> PipelineDesign:
    return PipelineDesign.load(FIXTURES / "batch_design.yaml")


@pytest.fixture
def streaming_design() -> PipelineDesign:
    return PipelineDesign.load(FIXTURES / "streaming_design.yaml")


@pytest.fixture(scope="module")
def batch_export(tmp_path_factory) -> dict[str, list[str]]:
    """Every applicable target of the batch design, exported once per module."""
    out = tmp_path_factory.mktemp("batch") / "out"
    return PipelineDesign.load(FIXTURES / "batch_design.yaml").export(out)


@pytest.fixture(scope="module")
def streaming_export(tmp_path_factory) -> dict[str, list[str]]:
    out = tmp_path_factory.mktemp("streaming") / "out"
    return PipelineDesign.load(FIXTURES / "streaming_design.yaml").export(out)
