-- Mixed traffic for wrk: list, filter, create, edit and delete provider instances.
-- Each wrk thread edits and deletes only the instances it created itself.
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

local function api(method, path, body)
  local headers = {["Content-Type"] = "application/json", ["X-CSRFToken"] = wrk.headers["X-CSRFToken"]}
  return wrk.format(method, "/api/v2.0/p2p/preheat/instances" .. path, headers, body)
end

local function page(path)
  return wrk.format("GET", path, {["HX-Request"] = "true"})
end

request = function()
  local roll = math.random(100)
  if roll <= 40 then
    return page("/distributions")
  elseif roll <= 60 then
    return page("/distributions?q=seed-" .. math.random(0, 9))
  elseif roll <= 80 or #created == 0 then
    counter = counter + 1
    local name = "load-" .. thread_id .. "-" .. counter
    table.insert(created, name)
    return api("POST", "", string.format(
      '{"name":"%s","vendor":"kraken","endpoint":"http://127.0.0.1:9/%s","enabled":false}', name, name))
  elseif roll <= 92 then
    local name = created[math.random(#created)]
    return api("PATCH", "/" .. name, '{"description":"edited under load"}')
  else
    local name = table.remove(created, 1)
    return api("DELETE", "/" .. name, nil)
  end
end

response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
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
  io.write(string.format("P99_MS %.2f\n", latency:percentile(99) / 1000))
  io.write(string.format("RPS %.1f\n", summary.requests / (summary.duration / 1e6)))
  io.write(string.format("SOCKET_ERRORS %d\n", summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout))
end
