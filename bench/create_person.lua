-- wrk script: durable creates of synthetic persons with an editor token (BENCH_TOKEN).
local counter = 0
-- Each thread draws its own random numbers (wrk_threads.lua).
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "wrk_threads.lua")
local token = os.getenv("BENCH_TOKEN")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token
request = function()
  counter = counter + 1
  local body = string.format('{"name":"Benchperson %d-%d","kommune_code":"0851","party":"Ø"}',
                             math.random(1, 1000000000), counter)
  return wrk.format(nil, nil, nil, body)
end
