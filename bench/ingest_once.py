"""One chiso ingest of one file in this (fresh) process; prints JSON with its peak RSS.

    python -m bench.ingest_once URL LANDING_DIR

Used by the memory section. The peak is the kernel's ``VmHWM`` of this process: ``ru_maxrss``
is not usable here, because Linux carries the high-water mark of the forking parent across
``exec`` (the benchmark parent holds pandas' 1M-row DataFrame, so every child "peaked" at its
size). Both are printed.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def _vm_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return -1


def main() -> None:
    url, landing = sys.argv[1], Path(sys.argv[2])
    from bench import common

    common.use_bench_home()
    from chiso import warehouse
    from ingest.pii import load_key
    from ingest.run import ingest

    with warehouse.connect(url) as conn:
        conn.execute("drop table if exists raw.onestop")
        conn.execute("delete from audit.rejected_rows where feed = 'onestop'")
        conn.execute("delete from audit.load_batches where feed = 'onestop'")
        conn.commit()
        before = _vm_kb("VmHWM")
        t = time.perf_counter()
        (r,) = ingest(conn, landing, load_key(common.HOME), None, feeds=["onestop"])
        seconds = time.perf_counter() - t
    print(
        json.dumps(
            {
                "rows": r.rows_read,
                "status": r.status,
                "seconds": seconds,
                "rss_before_kb": before,
                "peak_rss_kb": _vm_kb("VmHWM"),
                "ru_maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            }
        )
    )


if __name__ == "__main__":
    main()
