-- wrk script for deploy/faults.sh: GET a random demo user's (U00001-U02000)
-- recommendations, with the key from $SHOPMIND_KEY. Seeded.
math.randomseed(7)
local key = os.getenv("SHOPMIND_KEY") or ""
request = function()
  return wrk.format("GET", string.format("/v1/users/U%05d/recommendations?n=10", math.random(1, 2000)),
    { ["Authorization"] = "Bearer " .. key })
end
