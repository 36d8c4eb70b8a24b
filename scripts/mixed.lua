-- Mixed traffic for wrk: list, filter, create, edit and delete provider instances.
-- Edits go to the seeded instances; each wrk thread deletes only instances it
-- created itself, and only long after their creation was sent, so that no
-- request of the load races another (every answer should be a 2xx).
local counter = 0
thread_id = 0
local created = {}
statuses = {}
local threads = {}
local id_seq = 0

function setup(thread)
  id_seq = id_seq + 1
  thread:set("thread_id", id_seq)
  table.insert(threads, thread)
end

-- wrk.format replaces wrk.headers (the cookie, the CSRF token) with the table
-- it is given, so each request starts from a copy of them.
local function with_defaults(extra)
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  for name, value in pairs(extra) do headers[name] = value end
  return headers
end

local function api(method, path, body)
  local headers = with_defaults({["Content-Type"] = "application/json"})
  return wrk.format(method, "/api/v2.0/p2p/preheat/instances" .. path, headers, body)
end

local function page(path)
  return wrk.format("GET", path, with_defaults({["HX-Request"] = "true"}))
end

-- Requests a thread sends before it deletes what it created: far more than
-- its connections, so the creation has been answered.
SETTLE = 2000
requests_sent = 0

-- wrk calls request() once on its first thread to check the request's format
-- and never sends that one; so each thread starts with a list page, whose loss
-- leaves no instance behind that a later DELETE would miss.
request = function()
  requests_sent = requests_sent + 1
  local roll = math.random(100)
  if requests_sent == 1 or roll <= 40 then
    return page("/distributions")
  elseif roll <= 60 then
    return page("/distributions?q=seed-" .. math.random(0, 9))
  elseif roll <= 80 then
    counter = counter + 1
    local name = "load-" .. thread_id .. "-" .. counter
    table.insert(created, {name = name, sent = requests_sent})
    return api("POST", "", string.format(
      '{"name":"%s","vendor":"kraken","endpoint":"http://127.0.0.1:9/%s","enabled":false}', name, name))
  elseif roll <= 92 or #created == 0 or created[1].sent > requests_sent - SETTLE then
    return api("PATCH", "/seed-" .. math.random(0, 29),
               '{"description":"edited under load ' .. requests_sent .. '"}')
  else
    local name = table.remove(created, 1).name
    return api("DELETE", "/" .. name, nil)
  end
end

-- The first few answers that are not a 2xx, to say what went wrong.
failures = {}

response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if (status < 200 or status > 299) and #failures < 5 then
    table.insert(failures, status .. " " .. string.sub(body or "", 1, 200))
  end
end

done = function(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses")
    for status, count in pairs(counts) do
      totals[status] = (totals[status] or 0) + count
    end
  end
  io.write("STATUS")
  for status, count in pairs(totals) do
    io.write(string.format(" %d=%d", status, count))
  end
  io.write("\n")
  for _, thread in ipairs(threads) do
    for _, failure in ipairs(thread:get("failures")) do
      io.write("FAILURE " .. string.gsub(failure, "\n", " ") .. "\n")
    end
  end
  io.write(string.format("P99_MS %.2f\n", latency:percentile(99) / 1000))
  io.write(string.format("RPS %.1f\n", summary.requests / (summary.duration / 1e6)))
  io.write(string.format("SOCKET_ERRORS %d\n", summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout))
end
