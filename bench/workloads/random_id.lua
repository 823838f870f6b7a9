-- GET (or, with a second argument "PUT", partially update) a random client of a seeded store:
-- the URL given to wrk is the collection, the first argument a file with one id per line.
local ids = {}
local method = "GET"
local counter = 0

function init(args)
  for line in io.lines(args[1]) do
    ids[#ids + 1] = line
  end
  method = args[2] or "GET"
  math.randomseed(os.time() + (args[3] and tonumber(args[3]) or 0))
end

function request()
  counter = counter + 1
  local path = wrk.path .. "/" .. ids[math.random(#ids)]
  local headers = { ["Authorization"] = "Bearer bench" }
  if method == "GET" then
    return wrk.format("GET", path, headers)
  end
  headers["Content-Type"] = "application/json"
  return wrk.format(method, path, headers, string.format('{"notes":"stall %d"}', counter))
end
