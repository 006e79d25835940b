-- POST the same login over and over (argon2id verification bounds it).
function init(args)
  body = string.format('{"email":"%s","password":"%s"}', os.getenv("BENCH_EMAIL"), os.getenv("BENCH_PASSWORD"))
end
function request()
  return wrk.format("POST", nil, nil, body)
end
