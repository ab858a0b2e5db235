-- wrk script: GET /v1/users/{random ML-100K user}/recommendations?n=10 with
-- the API key from $SHOPMIND_KEY. Seeded, so every run asks the same users.
math.randomseed(42)
local key = os.getenv("SHOPMIND_KEY") or ""
request = function()
  local u = math.random(1, 943)
  return wrk.format("GET", "/v1/users/" .. u .. "/recommendations?n=10",
    { ["Authorization"] = "Bearer " .. key })
end
