-- p9_saves.lua — wrk script of PERFORMANCE.md P9's throughput (run by
-- p9_quiz.sh): each request saves a random answer of a random participant,
-- PUT /api/v1/attempts/ba<n>/answers/bq<k> {"option_ids":["o<c>"]} with that
-- participant's bearer token, the way pgbench's save.sql picks them.
-- Tokens come from the file named by P9_TOKENS (lines n<TAB>segment<TAB>token),
-- the number of questions from P9_QUESTIONS. Answers other than 200 are
-- counted and printed at the end (the run then fails).

local people = {}
local questions = tonumber(os.getenv("P9_QUESTIONS") or "20")
local threads = {}
non200 = 0

function setup(thread)
    table.insert(threads, thread)
    thread:set("id", #threads)
end

function init(args)
    for line in io.lines(os.getenv("P9_TOKENS")) do
        local n, token = line:match("^(%d+)\t%S+\t(%S+)$")
        if n then
            people[#people + 1] = { n = n, auth = "Bearer " .. token }
        end
    end
    math.randomseed(os.time() * 100 + id)
end

function request()
    local p = people[math.random(#people)]
    local path = "/api/v1/attempts/ba" .. p.n .. "/answers/bq" .. math.random(questions)
    local body = '{"option_ids":["o' .. math.random(4) .. '"]}'
    return wrk.format("PUT", path, { ["Authorization"] = p.auth, ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
    if status ~= 200 then
        non200 = non200 + 1
    end
end

function done(summary, latency, requests)
    local bad = 0
    for _, t in ipairs(threads) do
        bad = bad + (t:get("non200") or 0)
    end
    io.write(string.format("non200 %d\n", bad))
end
