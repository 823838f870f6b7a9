-- Partial update of one existing client: {"notes": ...} sent to the URL given to wrk.
-- The method is the script's first argument (default PUT): json-server needs PATCH, because its
-- PUT replaces the whole record instead of merging.
local method = "PUT"
local counter = 0

function init(args)
  method = args[1] or "PUT"
end

function request()
  counter = counter + 1
  local body = string.format('{"notes":"bench update %d"}', counter)
  return wrk.format(method, wrk.path, {
    ["Authorization"] = "Bearer bench",
    ["Content-Type"] = "application/json",
  }, body)
end
