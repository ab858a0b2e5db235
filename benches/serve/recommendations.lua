-- wrk script: GET /v1/users/{random ML-100K user}/recommendations?n=10 with
-- the API key from $SHOPMIND_KEY and $SHOPMIND_QUERY appended to the query
-- (e.g. "&exclude=0", which makes every answer computed rather than taken
-- from the user's kept list). Seeded, so every run asks the same users.
math.randomseed(42)
local key = os.getenv("SHOPMIND_KEY") or ""
local extra = os.getenv("SHOPMIND_QUERY") or ""
request = function()
  local u = math.random(1, 943)
  return wrk.format("GET", "/v1/users/" .. u .. "/recommendations?n=10" .. extra,
    { ["Authorization"] = "Bearer " .. key })
end
