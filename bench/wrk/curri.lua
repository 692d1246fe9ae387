-- curri.lua: wrk script posting Cisco UCM-shaped CURRI (XACML) requests to callgate (or to the
-- nginx ceiling in bench/nginx), with calling numbers from data/phone_directory.csv.
--
--   wrk -t2 -c16 -d5s --latency -s bench/wrk/curri.lua http://127.0.0.1:PORT/curri [-- MODE]
--   CURRI_MODE=MODE wrk ...            (the environment works too; script args win)
--
-- MODE: found  +14085550101, Ada Lovelace, an exact row (default)
--       prefix +14085559876 and +12125557777: no exact row, longest prefix +1408 / +1212
--       miss   +19995550123: no row at all (continue without a name)
--       mix    5 found : 3 prefix : 2 miss, round-robin
-- Only an explicit CURRI_MODE=found keeps wrk's fast static-request path; otherwise wrk asks Lua
-- for each request (round-robin over pre-built ones: a little slower for wrk, the same for
-- every server).
-- CURRI_CHECK=1 also reads each response's status in Lua to count non-200 exactly (slower);
-- without it the count is wrk's (status >= 400) plus socket errors.
-- At the end prints one machine-readable line for bench/run.sh:
--   curri-result mode=M requests=N rps=R p50_us=.. p90_us=.. p99_us=.. p999_us=.. max_us=..
--                non200=N socket_errors=N

local numbers = {
  found = { "+14085550101" },
  prefix = { "+14085559876", "+12125557777" },
  miss = { "+19995550123" },
}
numbers.mix = {
  numbers.found[1], numbers.prefix[1], numbers.found[1], numbers.miss[1], numbers.found[1],
  numbers.prefix[2], numbers.found[1], numbers.prefix[1], numbers.found[1], numbers.miss[1],
}

local function attribute(id, value)
  return '    <Attribute AttributeId="urn:Cisco:uc:1.0:' .. id .. '"\n' ..
         '               DataType="http://www.w3.org/2001/XMLSchema#string">\n' ..
         "      <AttributeValue>" .. value .. "</AttributeValue></Attribute>\n"
end

-- The XACML request of protocols/curri.md §1.5 (directory-number trigger, from a SIP trunk),
-- line breaks inside start tags included, as UCM sends them.
local function xacml(calling)
  return '<?xml version="1.0" encoding="UTF-8"?>\n' ..
    '<Request xmlns="urn:oasis:names:tc:xacml:2.0:context:schema:os">\n' ..
    '  <Subject SubjectCategory="urn:oasis:names:tc:xacml:1.0:subject-category:access-subject">\n' ..
    '    <Attribute AttributeId="urn:oasis:names:tc:xacml:1.0:subject:role-id"\n' ..
    '               DataType="http://www.w3.org/2001/XMLSchema#string" Issuer="requestor">\n' ..
    "      <AttributeValue>CISCO:UC:UCMPolicy</AttributeValue></Attribute>\n" ..
    attribute("callingnumber", calling) ..
    attribute("callednumber", "50102") ..
    attribute("transformedcgpn", calling) ..
    attribute("transformedcdpn", "+197255550102") ..
    attribute("callingdevicename", "CSR1000v") ..
    "  </Subject>\n" ..
    "  <Resource>\n" ..
    '    <Attribute AttributeId="urn:oasis:names:tc:xacml:1.0:resource:resource-id"\n' ..
    '               DataType="http://www.w3.org/2001/XMLSchema#anyURI">\n' ..
    "      <AttributeValue>CISCO:UC:VoiceOrVideoCall</AttributeValue></Attribute>\n" ..
    "  </Resource>\n" ..
    "  <Action>\n" ..
    '    <Attribute AttributeId="urn:oasis:names:tc:xacml:1.0:action:action-id"\n' ..
    '               DataType="http://www.w3.org/2001/XMLSchema#anyURI">\n' ..
    "      <AttributeValue>any</AttributeValue></Attribute>\n" ..
    "  </Action>\n" ..
    "  <Environment>\n" ..
    '    <Attribute AttributeId="urn:Cisco:uc:1.0:triggerpointtype"\n' ..
    '               DataType="http://www.w3.org/2001/XMLSchema#string">\n' ..
    "      <AttributeValue>directorynumber</AttributeValue></Attribute>\n" ..
    "  </Environment>\n" ..
    "</Request>\n"
end

local function check_mode(name)
  if numbers[name] == nil then
    io.stderr:write("curri.lua: unknown mode '" .. tostring(name) ..
                    "' (use found, prefix, miss or mix)\n")
    os.exit(2)
  end
  return name
end

local env_mode = check_mode(os.getenv("CURRI_MODE") or "found")
local mode = env_mode

-- UCM's request headers (protocols/curri.md §1.2).
wrk.method = "POST"
wrk.headers["Content-Type"] = "text/xml; charset=ISO-8859-1"
wrk.headers["methodName"] = "isRoleAccessAllowed"
wrk.headers["User-Agent"] = "CiscoUCM-HttpClient/1.0"
wrk.headers["Accept"] = "*/*"
wrk.body = xacml(numbers[mode][1])

local requests = {}  -- this thread's serialized requests, one per number of the mode
local next_request = 0

function init(args)
  if args[1] ~= nil then mode = check_mode(args[1]) end
  for i, number in ipairs(numbers[mode]) do
    requests[i] = wrk.format(nil, nil, nil, xacml(number))
  end
  wrk.body = xacml(numbers[mode][1])
  curri_mode = mode  -- a global, for done(): it runs in wrk's main state, where init never ran
end

-- wrk decides once, when it loads the script (before init sees the script args), whether a
-- request() function exists; without one it sends a single static request, its fastest path.
-- So it is left out only when CURRI_MODE=found is set explicitly.
if os.getenv("CURRI_MODE") ~= "found" then
  request = function()
    next_request = next_request % #requests + 1
    return requests[next_request]
  end
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

if os.getenv("CURRI_CHECK") == "1" then
  non200 = 0
  response = function(status, headers, body)
    if status ~= 200 then non200 = non200 + 1 end
  end
end

function done(summary, latency, _)
  local non200 = summary.errors.status
  if os.getenv("CURRI_CHECK") == "1" then
    non200 = 0
    for _, thread in ipairs(threads) do non200 = non200 + thread:get("non200") end
  end
  local e = summary.errors
  local socket_errors = e.connect + e.read + e.write + e.timeout
  local seconds = summary.duration / 1e6
  local sent_mode = threads[1] and threads[1]:get("curri_mode") or mode
  io.write(string.format(
    "curri-result mode=%s requests=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d p999_us=%d " ..
    "max_us=%d non200=%d socket_errors=%d\n",
    sent_mode, summary.requests, summary.requests / seconds, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max,
    non200, socket_errors))
  if non200 > 0 or socket_errors > 0 then
    io.write(string.format("curri.lua: %d non-200 responses, %d socket errors " ..
                           "(connect %d, read %d, write %d, timeout %d)\n",
                           non200, socket_errors, e.connect, e.read, e.write, e.timeout))
  end
end
