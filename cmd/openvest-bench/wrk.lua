-- wrk script of openvest-bench: replays pre-built requests (signed, each
-- POST with its own idempotency key) from the file named by the
-- environment variable OPENVEST_BENCH_REQUESTS, so that wrk spends no CPU
-- on signing. The file holds "<length>\n<raw HTTP request>" records;
-- thread k of n sends records k, k+n, k+2n, ... and wraps around at the end.
-- done() prints one RESULT line the harness parses.
local threads = 0

function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

local reqs = {}
local i = 0

function init(args)
  local n = tonumber(os.getenv("OPENVEST_BENCH_THREADS"))
  local f = assert(io.open(os.getenv("OPENVEST_BENCH_REQUESTS"), "rb"))
  local k = 0
  while true do
    local len = f:read("*l")
    if not len then break end
    local r = f:read(tonumber(len))
    if k % n == tid then reqs[#reqs + 1] = r end
    k = k + 1
  end
  f:close()
end

function request()
  i = i % #reqs + 1
  return reqs[i]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d duration_us=%d non2xx=%d socket_errors=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
