-- List with a search term that changes on every request (as type-ahead does), so no cache helps.
local terms = { "acm", "glo", "ini", "umb", "nor", "sta", "way", "oce", "ste", "vid", "swi",
                "saf", "sur", "nim", "zen", "orb", "sys", "hea", "cap", "ret", "log", "med" }
local counter = 0

function request()
  counter = counter + 1
  local path = string.format("%s?search=%s&limit=50", wrk.path, terms[counter % #terms + 1])
  return wrk.format("GET", path, { ["Authorization"] = "Bearer bench" })
end
