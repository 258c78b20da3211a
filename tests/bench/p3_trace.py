#!/usr/bin/env python3
"""p3_trace.py — where the slow requests of a P3 race are (issue 17).

Reads the files p3_crowd.mjs writes with P3_TRACE=path (one line per
answered request: start offset, latency, server, connection, place on the
connection, attempts, status, segment, connect time) and prints:

- the p50 / p99 / max, and the p99's threshold;
- latency by start offset (buckets of BUCKET_MS, 50 by default): count,
  p50, p99, and how many of the slow 1 % started there;
- the slow 1 % by what they share: the request that opened its connection
  (the first wave) or a later one, server, segment, retried or not;
- the first wave (place 0 on its connection): TCP connect times, and its
  latency against the rest's.

    tests/bench/p3_trace.py race1.tsv [race2.tsv ...]

Standard library only. Several files are summarised one after the other,
then together (offsets are each race's own).
"""
import os
import sys


def pct(sorted_vals, p):
    if not sorted_vals:
        return float('nan')
    i = max(0, min(len(sorted_vals) - 1, int(-(-p * len(sorted_vals) // 1)) - 1))
    return sorted_vals[i]


def load(path):
    rows = []
    with open(path, encoding='utf-8') as f:
        head = f.readline().rstrip('\n').split('\t')
        for line in f:
            v = dict(zip(head, line.rstrip('\n').split('\t')))
            rows.append({
                'start': float(v['start_ms']), 'lat': float(v['latency_ms']),
                'server': v['server'], 'conn': int(v['conn']), 'place': int(v['on_conn']),
                'attempts': int(v['attempts']), 'status': v['status'],
                'segment': v['segment'],
                'connect': float(v['connect_ms']) if v.get('connect_ms') else None,
            })
    return rows


def share(rows, slow, key, label):
    groups = {}
    for r in rows:
        groups.setdefault(key(r), [0, 0])[0] += 1
    for r in slow:
        groups.setdefault(key(r), [0, 0])[1] += 1
    parts = ', '.join(f'{k}: {s} of {n}' for k, (n, s) in sorted(groups.items()))
    print(f'  slow by {label}: {parts}')


def summary(name, rows):
    bucket = float(os.environ.get('BUCKET_MS', '50'))
    lats = sorted(r['lat'] for r in rows)
    thr = pct(lats, 0.99)
    slow = [r for r in rows if r['lat'] >= thr]
    end = max(r['start'] + r['lat'] for r in rows)
    print(f'== {name}: {len(rows)} answers over {end:.0f} ms; p50 {pct(lats, .5):.1f} '
          f'p90 {pct(lats, .9):.1f} p99 {thr:.1f} max {lats[-1]:.1f} ms; slow 1 % = {len(slow)} '
          f'answers >= {thr:.1f} ms')
    print(f'  {"start ms":>13} {"n":>5} {"p50":>7} {"p99":>7} {"max":>7} {"slow":>5}')
    by = {}
    for r in rows:
        by.setdefault(int(r['start'] // bucket), []).append(r)
    for b in sorted(by):
        g = sorted(x['lat'] for x in by[b])
        ns = sum(1 for x in by[b] if x['lat'] >= thr)
        print(f'  {b * bucket:6.0f}-{(b + 1) * bucket:<6.0f} {len(g):5d} {pct(g, .5):7.1f} '
              f'{pct(g, .99):7.1f} {g[-1]:7.1f} {ns:5d}')
    share(rows, slow, lambda r: 'first on its connection' if r['place'] == 0 else 'later',
          'place')
    share(rows, slow, lambda r: 'server ' + r['server'], 'server')
    share(rows, slow, lambda r: r['segment'], 'segment')
    share(rows, slow, lambda r: 'retried' if r['attempts'] > 1 else 'once', 'attempts')
    first = [r for r in rows if r['place'] == 0]
    rest = sorted(r['lat'] for r in rows if r['place'] > 0)
    fl = sorted(r['lat'] for r in first)
    conn = sorted(r['connect'] for r in first if r['connect'] is not None and r['connect'] >= 0)
    starts = sorted(r['start'] for r in first)
    print(f'  first wave: {len(first)} sent from {starts[0]:.1f} to {starts[-1]:.1f} ms; '
          f'latency p50 {pct(fl, .5):.1f} p99 {pct(fl, .99):.1f}; TCP connect p50 '
          f'{pct(conn, .5):.1f} p99 {pct(conn, .99):.1f} max {conn[-1] if conn else float("nan"):.1f} ms')
    print(f'  the rest: {len(rest)}, latency p50 {pct(rest, .5):.1f} p99 {pct(rest, .99):.1f} '
          f'max {rest[-1] if rest else float("nan"):.1f} ms')
    return rows


def main():
    if len(sys.argv) < 2:
        sys.exit('usage: p3_trace.py TRACE.tsv [...]')
    everything = []
    for path in sys.argv[1:]:
        everything += summary(path, load(path))
    if len(sys.argv) > 2:
        summary('all races', everything)


main()
