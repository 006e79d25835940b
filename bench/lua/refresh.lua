-- (h) The refresh grant with durable rotation. Each wrk thread takes its share of the refresh
-- tokens in $BENCH_REFRESH_TOKENS (one per line, each of its own family); a request spends one
-- and its response's new token goes back in the pool, so that no token is ever presented twice
-- (a second use would revoke its family). The pool must hold more tokens than a thread has
-- connections: every request in flight holds one. The warm-up run (BENCH_RUN=warm-…) takes the
-- even lines and the measured run the odd ones: the tokens a warm-up rotated are spent, and
-- their successors died with its process.
-- bench/run's wrk threads (-t2); a value set on a thread in setup() cannot be changed later.
local threads = tonumber(os.getenv("BENCH_WRK_THREADS") or "2")
local created = 0

function setup(thread)
  thread:set("index", created)
  created = created + 1
end

local pool = {}

function init(args)
  local half = (os.getenv("BENCH_RUN") or ""):sub(1, 5) == "warm-" and 0 or 1
  local n = 0
  for line in io.lines(os.getenv("BENCH_REFRESH_TOKENS")) do
    if n % 2 == half and math.floor(n / 2) % threads == wrk.thread:get("index") and #line > 0 then
      pool[#pool + 1] = line
    end
    n = n + 1
  end
end

function request()
  local token = table.remove(pool)
  if token == nil then
    error("refresh.lua: the pool is empty; seed more tokens than connections")
  end
  -- wrk.format's headers replace the command line's (-H: the client's Basic credentials).
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  return wrk.format("POST", nil, headers, "grant_type=refresh_token&refresh_token=" .. token)
end

function response(status, headers, body)
  local token = body:match('"refresh_token"%s*:%s*"([^"]+)"')
  if token then pool[#pool + 1] = token end
end
