-- wrk script: each thread POSTs its own pre-built relay bodies to /v1/relay, once each, in
-- order (run one connection per thread, so a session's requests never overtake each other).
-- Files: <dir>/bodies-<n>.txt, one JSON body per line (the site key is in the body).
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  bodies = {}
  for line in io.lines(args[1] .. "/bodies-" .. id .. ".txt") do
    table.insert(bodies, line)
  end
  -- A browser's User-Agent: without one the relay takes the client for a bot (no nudges).
  headers = {
    ["Content-Type"] = "application/json",
    ["User-Agent"] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 " ..
      "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  }
  index = 0
end

function request()
  index = index + 1
  if index > #bodies then
    wrk.thread:stop() -- out of fresh bodies: stop rather than resend
  end
  return wrk.format("POST", "/v1/relay", headers, bodies[index])
end
