-- POST a resource with a name no other request of this run uses (wrk: one Lua state per thread).
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function init(args)
  counter = 0
  run = os.getenv("BENCH_RUN") or tostring(os.time())
end
function request()
  counter = counter + 1
  local body = string.format('{"kind":"bench","name":"r-%s-%d-%d","spec":{"n":%d}}', run, tid, counter, counter)
  return wrk.format("POST", nil, nil, body)
end
