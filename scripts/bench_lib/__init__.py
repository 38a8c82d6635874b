"""Load-generator pieces for `scripts/bench` (issue 6): probes, servers, load patterns, report."""
