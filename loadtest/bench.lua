-- wrk script for `make bench`: replays the streams loadtest/benchgen.py wrote, one per thread.
-- Usage: wrk -t T -c C -d D -s bench.lua URL -- STREAM_DIR [RATE_PER_S]
-- An answer is an error unless it is HTTP 200 with one of the codes its line expects.
-- With RATE_PER_S, each thread sends on a fixed schedule (its share of the rate), whatever the
-- latency: a slot is claimed per request, and a late answer does not slow the schedule.

local ffi = require("ffi")
ffi.cdef[[
  typedef struct { long tv_sec; long tv_nsec; } timespec;
  int clock_gettime(int clk_id, timespec *tp);
]]
local function now_ms()
  local t = ffi.new("timespec")
  ffi.C.clock_gettime(1, t)  -- CLOCK_MONOTONIC
  return tonumber(t.tv_sec) * 1000 + tonumber(t.tv_nsec) / 1e6
end

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local dir = args[1]
  rate = tonumber(args[2] or "0")
  threads_total = tonumber(os.getenv("BENCH_THREADS") or "2")
  interval_ms = rate > 0 and (1000 * threads_total / rate) or 0
  next_slot = 0
  requests = {}
  local file = assert(io.open(dir .. "/stream-" .. id .. ".txt", "r"))
  local seq = 0
  for line in file:lines() do
    local path, codes, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
    seq = seq + 1
    requests[seq] = wrk.format("POST", path, {
      ["Content-Type"] = "application/json",
      ["X-Request-Id"] = codes .. "-" .. id .. "-" .. seq,
    }, body)
  end
  file:close()
  position = 0
  errors = 0
  answered = 0
end

function request()
  position = position + 1
  if position > #requests then position = 1 end  -- wrapped: replays, still valid calls
  return requests[position]
end

if tonumber(os.getenv("BENCH_RATE_PER_S") or "0") > 0 then
  function delay()
    local now = now_ms()
    if next_slot < now then next_slot = now end
    local wait = next_slot - now
    next_slot = next_slot + interval_ms
    return wait
  end
end

local function mismatch(status, request_id, body)
  errors = errors + 1
  if errors <= 5 then  -- the first few, for bench.py to show
    io.write(string.format("BENCH_MISMATCH %d %s %s\n", status, request_id, body))
  end
end

function response(status, headers, body)
  answered = answered + 1
  local request_id = headers["x-request-id"] or headers["X-Request-Id"] or ""
  local expected = request_id:match("^([%d,]+)-")
  local code = body:match('"code":%s*(%d+)')
  if status ~= 200 or expected == nil or code == nil then
    return mismatch(status, request_id, body)
  end
  for allowed in expected:gmatch("%d+") do
    if allowed == code then return end
  end
  mismatch(status, request_id, body)
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("errors")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"errors":%d,"socket_errors":%d,' ..
    '"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, bad,
    e.connect + e.read + e.write + e.timeout + e.status,
    latency:percentile(50), latency:percentile(99), latency.max))
end
