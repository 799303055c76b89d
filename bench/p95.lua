-- wrk reporter: one line with requests/s, p95 latency (ms) and errors.
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format("RESULT %.0f %.1f %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(95) / 1000, errors))
end
