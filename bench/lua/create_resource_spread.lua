-- (k) Resource creates spread at random over the organizations of the delivery scenario: each
-- line of $BENCH_EVENT_TARGETS is a workspace's resources path in one of them. Each create
-- writes one resource.created event to its organization's log. Names never repeat in a run.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function init(args)
  counter = 0
  run = os.getenv("BENCH_RUN") or tostring(os.time())
  paths = {}
  for line in io.lines(os.getenv("BENCH_EVENT_TARGETS")) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  math.randomseed(os.time() * 100 + tid)
end
function request()
  counter = counter + 1
  local body = string.format('{"kind":"bench","name":"k-%s-%d-%d","spec":{"n":%d}}', run, tid, counter, counter)
  return wrk.format("POST", paths[math.random(#paths)], nil, body)
end
