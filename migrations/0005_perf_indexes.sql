-- Candidate name search (GET /v1/candidates?q=…, GET /v1/drives/{id}/applications?q=…) matches
-- `full_name_search LIKE '%…%'`, which no btree can serve: on a national drive that was a scan of
-- every candidate per request. A trigram GIN index answers infix matches (measured on 200,000
-- candidates: 74 ms → 27 ms for a rare name; see test/perf/RESULTS.md).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS candidates_name_search_trgm_idx ON candidates USING gin (full_name_search gin_trgm_ops);
