-- Alternate requests between /a and /b (two apps) on every connection.
local paths = { "/a", "/b" }
local n = 0
request = function()
   n = n + 1
   return wrk.format(nil, paths[(n % 2) + 1])
end
