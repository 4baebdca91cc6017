-- wrk script: POST the benchmark's AdmissionReviews in turn (BODY_DIR holds them), to PATH_PREFIX/validate or /mutate.
local dir = os.getenv("BODY_DIR")
local path = os.getenv("REVIEW_PATH") or "/validate"
local bodies = {}
for _, name in ipairs({"deployment.json", "pod.json", "odooenvironment.json"}) do
  local file = assert(io.open(dir .. "/" .. name))
  bodies[#bodies + 1] = file:read("*a")
  file:close()
end
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("POST", path, {["Content-Type"] = "application/json"}, bodies[(counter % #bodies) + 1])
end
