-- wrk: each connection waits THINK_MS (default 100) between its requests,
-- like a person reading the page, instead of asking again at once.
local think = tonumber(os.getenv("THINK_MS") or "100")
function delay()
  return think
end
