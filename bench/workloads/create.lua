-- POST a new client with a name unique per request (thread number + counter), so stateful
-- servers really store a new record each time instead of hitting a duplicate.
local thread_counter = 0
local next_thread = 0

function setup(thread)
  next_thread = next_thread + 1
  thread:set("thread_number", next_thread)
end

function request()
  thread_counter = thread_counter + 1
  local tag = string.format("%d-%d", thread_number or 0, thread_counter)
  local body = string.format(
    '{"name":"Bench Client %s","email":"bench-%s@example.com","industry":"Technology","tags":["bench"]}',
    tag, tag)
  return wrk.format("POST", wrk.path, {
    ["Authorization"] = "Bearer bench",
    ["Content-Type"] = "application/json",
  }, body)
end
