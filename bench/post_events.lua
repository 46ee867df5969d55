-- wrk script: each thread POSTs its own pre-built batches, once each, in order.
-- Files: <dir>/batches-<n>.txt (one JSON body per line) and <dir>/key-<n>.txt.
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local dir = args[1]
  bodies = {}
  for line in io.lines(dir .. "/batches-" .. id .. ".txt") do
    table.insert(bodies, line)
  end
  local key = io.open(dir .. "/key-" .. id .. ".txt"):read("*l")
  headers = { ["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json" }
  index = 0
end

function request()
  index = index + 1
  if index > #bodies then
    -- Out of fresh batches: stop rather than resend (a resend is a cheap duplicate).
    wrk.thread:stop()
  end
  return wrk.format("POST", "/v1/events", headers, bodies[index])
end
