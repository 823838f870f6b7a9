-- A paced burst for bench/dashboard.py: each connection waits DELAY ms after each answer, so
-- -c10 with 10 ms sends about 1,000 requests a second; each request is named by its thread and
-- number in the query, in the session the live feed follows.
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  thread_id = id
  wrk.headers["Authorization"] = "Bearer bench"
  wrk.headers["X-Mock-Session"] = args[1] or "burst"
  delay_ms = tonumber(args[2] or "10")
end

function delay()
  return delay_ms
end

function request()
  counter = counter + 1
  return wrk.format("GET", "/api/v1/clients?search=burst-" .. thread_id .. "-" .. counter)
end
