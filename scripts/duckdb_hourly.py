#!/usr/bin/env python3
"""The benchmark's peer: `estimate | bucket --every 1h --by flow,msg_type` as one DuckDB query.

usage: duckdb_hourly.py FILE   (a plain tracepoint CSV; /dev/stdin works)
Runs on 2 threads and writes the hourly table as CSV to stdout.
"""
import sys

import duckdb

con = duckdb.connect()
con.execute("SET threads = 2")
ip = "(CASE WHEN ipv6 THEN 40 ELSE 20 END)"
con.execute(
    f"""
COPY (
  SELECT time_bucket(INTERVAL 1 hour, timestamp) AS freq, flow, msg_type,
         sum(size + 24 + ceil((size + 24) / (1500 - {ip} - 32)) * ({ip} + 32))::BIGINT AS net_size
  FROM read_csv('{sys.argv[1]}', header = true)
  GROUP BY ALL ORDER BY ALL
) TO '/dev/stdout' (HEADER)
"""
)
