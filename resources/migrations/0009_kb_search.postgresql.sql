-- CS Desk schema 0009 (PostgreSQL): full-text search over kb_articles (title A, body B, tags C)
-- and notes (body). Generated tsvector columns with GIN indexes. List columns explicitly in
-- SELECT/INSERT (search_vector is PostgreSQL-only and cannot be written). Query example:
-- SELECT id, title FROM kb_articles WHERE search_vector @@ plainto_tsquery('english', $1)
-- AND deleted_at IS NULL ORDER BY ts_rank(search_vector, plainto_tsquery('english', $1)) DESC

ALTER TABLE kb_articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
    setweight(to_tsvector('english', coalesce(body, '')), 'B') ||
    setweight(jsonb_to_tsvector('english', coalesce(tags, '[]'::jsonb), '["string"]'), 'C')
) STORED;

CREATE INDEX idx_kb_articles_search ON kb_articles USING GIN (search_vector);

ALTER TABLE notes ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    to_tsvector('english', coalesce(body, ''))
) STORED;

CREATE INDEX idx_notes_search ON notes USING GIN (search_vector);
