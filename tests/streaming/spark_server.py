"""Runs the exported stream job's query on real Spark, case after case, in one SparkSession.

``python spark_server.py STREAM_DIR`` in a venv with pyspark, duckdb and pyarrow (never the workbench): imports
``stream_job`` from the exported ``STREAM_DIR``, then reads one JSON case per stdin line ({"cfg", "input_dir",
"warehouse", "checkpoint"}), runs ``stream_job.run`` over the case's files until they are all processed,
records the batches' progress into the case's warehouse, and answers one JSON line per case.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, sys.argv[1])
import stream_job  # noqa: E402

spark = stream_job.session("workbench-parity")
spark.sparkContext.setLogLevel("ERROR")
for line in sys.stdin:
    case = json.loads(line)
    try:
        query = stream_job.run(spark, case["cfg"], input_dir=case["input_dir"], warehouse=Path(case["warehouse"]),
                               checkpoint=case["checkpoint"])
        query.awaitTermination()
        stream_job.write_progress(Path(case["warehouse"]), case["cfg"]["sink_table"], query.recentProgress)
        answer = {"ok": True}
    except Exception as exc:  # noqa: BLE001  (reported to the test, which fails with it)
        answer = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:4000]}
    print(json.dumps(answer), flush=True)
