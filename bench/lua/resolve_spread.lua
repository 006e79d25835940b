-- GET /api/v1/resolve for a host chosen at random among the scale step's organizations
-- (scale-1 .. scale-N), so that the resolver's cache covers many organizations, not one.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function init(args)
  n = tonumber(os.getenv("BENCH_SCALE_ORGS") or "1")
  math.randomseed(os.time() * 100 + tid)
end
function request()
  return wrk.format("GET", string.format("/api/v1/resolve?host=scale-%d.localhost", math.random(n)))
end
