"""Reading Prometheus text for the benchmark scripts: histogram buckets and quantiles."""

import re


def buckets(text, family):
    """Cumulative bucket counts of histogram `family`, summed over its series: {le: count}."""
    counts = {}
    pattern = r'^%s_bucket\{[^}]*le="([^"]+)"[^}]*\} ([0-9.e+]+)$' % re.escape(family)
    for le, value in re.findall(pattern, text, re.M):
        bound = float("inf") if le == "+Inf" else float(le)
        counts[bound] = counts.get(bound, 0.0) + float(value)
    return counts


def quantile(before, after, q, minimum=1):
    """Quantile q of the observations between two cumulative snapshots, interpolated linearly
    inside its bucket as Prometheus' histogram_quantile does; None with fewer than `minimum`
    observations."""
    bounds = sorted(after)
    delta = [after[b] - before.get(b, 0.0) for b in bounds]
    total = delta[-1] if delta else 0
    if total < max(minimum, 1e-9):
        return None
    rank, lower, below = q * total, 0.0, 0.0
    for bound, count in zip(bounds, delta):
        if count >= rank:
            if bound == float("inf"):
                return lower
            return lower + (bound - lower) * (rank - below) / max(count - below, 1e-9)
        lower, below = bound, count
    return lower
