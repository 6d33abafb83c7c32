-- SPDX-License-Identifier: GPL-3.0-or-later
-- wrk script for the MCP benchmark: POST tools/call on /mcp, round-robin over pre-initialised sessions
-- (WRK_SESSIONS, comma-separated), each request with its own JSON-RPC id. WRK_TOOL / WRK_ARGS name the call,
-- WRK_TOKEN the bearer token. Prints one "RESULT requests non2xx p50_ms p99_ms max_ms" line at the end.
local sessions = {}
local token, tool, args
local next_session, next_id = 0, 0
local bad = 0
local threads = 0

-- Each wrk thread has its own Lua state seeded alike: give each a disjoint id range, so that two requests in
-- flight on one session never share a JSON-RPC id (MCP forbids reusing an id the session has in flight).
function setup(thread)
  threads = threads + 1
  thread:set("id_base", threads)
end

function init(argv)
  for s in string.gmatch(os.getenv("WRK_SESSIONS") or "", "[^,]+") do
    sessions[#sessions + 1] = s
  end
  token = os.getenv("WRK_TOKEN") or ""
  tool = os.getenv("WRK_TOOL")
  args = os.getenv("WRK_ARGS") or "{}"
  next_session = math.random(#sessions) - 1
  next_id = (id_base or 0) * 1000000000000
end

function request()
  next_session = next_session % #sessions + 1
  next_id = next_id + 1
  local headers = {
    ["Content-Type"] = "application/json",
    ["Accept"] = "application/json, text/event-stream",
    ["Mcp-Session-Id"] = sessions[next_session],
    ["MCP-Protocol-Version"] = "2025-11-25",
  }
  if token ~= "" then headers["Authorization"] = "Bearer " .. token end
  local body = string.format('{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"%s","arguments":%s}}',
    next_id, tool, args)
  return wrk.format("POST", "/mcp", headers, body)
end

function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"result"', 1, true) or string.find(body, '"isError":true', 1, true) then
    bad = bad + 1
    if bad <= 3 then io.stderr:write("bad response ", status, ": ", string.sub(body, 1, 300), "\n") end
  end
end

function done(summary, latency, requests)
  io.write(string.format("RESULT %d %d %.3f %.3f %.3f %d\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000, summary.duration))
end
