-- wrk script for the Open Inference Protocol's binary tensor data: POST the file named by $BODY
-- (JSON header, then raw tensor bytes) with Inference-Header-Content-Length: $HEADER_LENGTH;
-- print "wrk-done qps p50_us p99_us errors" at the end (as post.lua does).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/octet-stream"
wrk.headers["Inference-Header-Content-Length"] = os.getenv("HEADER_LENGTH")
local f = assert(io.open(os.getenv("BODY"), "rb"))
wrk.body = f:read("*a")
f:close()
done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout
  io.write(string.format("wrk-done %.1f %.1f %.1f %d\n", summary.requests / (summary.duration / 1e6),
      latency:percentile(50), latency:percentile(99), errors))
end
