-- Loaded by the wrk scripts of bench/ (dofile, beside them). wrk runs each thread in a Lua state
-- of its own, whose random numbers start from the same seed: unseeded, every thread would send
-- the same requests in the same order (every PATCH twice, the second one writing nothing).
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end
function init()
  math.randomseed(os.time() * 16 + thread_number)
end
