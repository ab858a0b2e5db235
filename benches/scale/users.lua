-- wrk script for the scale benchmark (benches/scale/run.sh): GET a random
-- user's recommendations among U0000000-U0999999 (benches/scale/events.py's
-- ids), with the key from $SHOPMIND_KEY. Seeded.
math.randomseed(11)
local key = os.getenv("SHOPMIND_KEY") or ""
request = function()
  return wrk.format("GET", string.format("/v1/users/U%07d/recommendations?n=10", math.random(0, 999999)),
    { ["Authorization"] = "Bearer " .. key })
end
