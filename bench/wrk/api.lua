-- wrk script for bench/run.sh. Mode and data come from the environment:
--   BENCH_MODE     healthz | services_index | invalid_token | authorize_and_submit
--                  | pay_and_submit | authorize_and_submit_promo | orders_read
--   BENCH_CLIENTS_FILE  file of "token pm_id client_id" lines (one per seeded client)
--   BENCH_READS    file of "token order_id" lines (orders/read)
--   BENCH_OFFSET   first request number (submissions): request k orders for
--                  client k mod N with add-on quantity 1 + k div N, so no two
--                  requests of a bench share (payment profile, amount) and the
--                  simulated 120 s duplicate rule never refuses; with a
--                  promotion (authorize_and_submit_promo) request k also
--                  names promotion BP<k div N>, which client k mod N has not
--                  redeemed yet (a client may redeem a promotion once)
--   BENCH_PRIMARY, BENCH_ADDON  service ids; BENCH_START, BENCH_END  appointment window
-- Run with one wrk thread (-t1): the request counter is per thread.
-- done() prints one line "WRKJSON {...}" with throughput and percentiles (µs).

local mode = os.getenv("BENCH_MODE") or "healthz"
local clients, reads = {}, {}
local counter = tonumber(os.getenv("BENCH_OFFSET") or "0")
local primary = os.getenv("BENCH_PRIMARY") or "1"
local addon = os.getenv("BENCH_ADDON") or "2"
local appt_start = os.getenv("BENCH_START") or ""
local appt_end = os.getenv("BENCH_END") or ""
local json_headers = { ["Content-Type"] = "application/json" }
generated, ok, bad, first_bad = 0, 0, 0, ""

local function load(path, into)
  if not path then return end
  local f = io.open(path, "r")
  if not f then return end
  for line in f:lines() do
    local fields = {}
    for w in line:gmatch("%S+") do fields[#fields + 1] = w end
    if #fields > 0 then into[#into + 1] = fields end
  end
  f:close()
end

load(os.getenv("BENCH_CLIENTS_FILE"), clients)
load(os.getenv("BENCH_READS"), reads)

-- the slug a request of this mode should answer
local expected = "action-successful"
if mode == "invalid_token" then expected = "invalid-token" end

local threads = {}
function setup(thread) threads[#threads + 1] = thread end

local function submit_body(k, promo)
  local n = #clients
  local c = clients[(k % n) + 1]
  local qty = 1 + math.floor(k / n)
  local code = ""
  if promo then code = string.format('"promotion_code":"BP%d",', math.floor(k / n)) end
  return string.format(
    '{"token":"%s","view":"summary",%s"payment_method_id":%s,"order":{'
      .. '"primary_service":{"id":%s},"add_on_services":[{"id":%s,"quantity":%d}],'
      .. '"property_info":{"address":{"street":"1 Main St","city":"Denver","state":"CO","postal_code":"80202"},'
      .. '"property_type":"single_family","square_footage":1800,"bedrooms":3,"bathrooms":2},'
      .. '"property_access":{"vacant":true,"method_of_access":"lockbox_code","access_code":"4321","lockbox_location":"front door"},'
      .. '"appointments":[{"starts_at":"%s","ends_at":"%s"}]}}',
    c[1], code, c[2], primary, addon, qty, appt_start, appt_end)
end

function request()
  local k = counter
  counter = counter + 1
  generated = generated + 1
  if mode == "healthz" then
    return wrk.format("GET", "/healthz")
  elseif mode == "services_index" then
    local c = clients[(k % #clients) + 1]
    return wrk.format("POST", "/api/v1/services/index", json_headers, '{"token":"' .. c[1] .. '"}')
  elseif mode == "invalid_token" then
    return wrk.format("POST", "/api/v1/services/index", json_headers,
      string.format('{"token":"not-a-valid-token-%d"}', k))
  elseif mode == "orders_read" then
    local r = reads[(k % #reads) + 1]
    return wrk.format("POST", "/api/v1/orders/read", json_headers,
      string.format('{"token":"%s","id":%s}', r[1], r[2]))
  elseif mode == "authorize_and_submit_promo" then
    return wrk.format("POST", "/api/v1/orders/authorize_and_submit", json_headers, submit_body(k, true))
  else
    return wrk.format("POST", "/api/v1/orders/" .. mode, json_headers, submit_body(k, false))
  end
end

function response(status, headers, body)
  local slug
  if mode == "healthz" then
    slug = (status == 200) and expected or tostring(status)
  else
    slug = body:match('^{"status":"([%w%-]+)"') or tostring(status)
  end
  if slug == expected then
    ok = ok + 1
  else
    bad = bad + 1
    if first_bad == "" then first_bad = slug end
  end
end

function done(summary, latency, requests)
  local t_ok, t_bad, t_gen, fb = 0, 0, 0, ""
  for _, t in ipairs(threads) do
    t_ok = t_ok + (t:get("ok") or 0)
    t_bad = t_bad + (t:get("bad") or 0)
    t_gen = t_gen + (t:get("generated") or 0)
    local b = t:get("first_bad") or ""
    if fb == "" then fb = b end
  end
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"mode":"%s","requests":%d,"duration_s":%.3f,"rps":%.1f,'
      .. '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,'
      .. '"ok":%d,"unexpected":%d,"first_unexpected":"%s","generated":%d,'
      .. '"socket_errors":%d}\n',
    mode, summary.requests, secs, summary.requests / secs,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean, t_ok, t_bad, fb, t_gen,
    e.connect + e.read + e.write + e.timeout))
end
