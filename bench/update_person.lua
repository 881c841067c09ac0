-- wrk script: durable updates (merge patches) spread over a fixed set of persons, so the register
-- keeps its size during the run. Needs BENCH_TOKEN (editor) and BENCH_PERSON_IDS ("3,4,5,...").
local token = os.getenv("BENCH_TOKEN")
local ids = {}
for id in string.gmatch(os.getenv("BENCH_PERSON_IDS"), "%d+") do ids[#ids + 1] = id end
local counter = 0
-- Each thread draws its own random numbers (wrk_threads.lua).
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "wrk_threads.lua")
wrk.method = "PATCH"
wrk.headers["Content-Type"] = "application/merge-patch+json"
wrk.headers["Authorization"] = "Bearer " .. token
request = function()
  counter = counter + 1
  local id = ids[math.random(1, #ids)]
  -- A new value every time: an update that changes nothing is not written at all (and, with the
  -- threads' own seeds, no two requests carry the same value).
  local body = string.format('{"other_names":["Benchnavn %d-%d"]}', math.random(1, 1000000000),
                             counter)
  return wrk.format(nil, "/v1/persons/" .. id, nil, body)
end
