-- CS Desk schema 0009 (SQLite): full-text search over kb_articles (title, body, tags) and notes (body).
-- FTS5 external-content tables kept in sync by triggers. Soft-deleted rows stay indexed: join the
-- base table and filter deleted_at IS NULL. Query example:
-- SELECT a.id, a.title FROM kb_articles_fts f JOIN kb_articles a ON a.id = f.rowid
-- WHERE kb_articles_fts MATCH ? AND a.deleted_at IS NULL ORDER BY bm25(kb_articles_fts, 10.0, 5.0, 2.0)

CREATE VIRTUAL TABLE kb_articles_fts USING fts5(title, body, tags, content='kb_articles', content_rowid='id', tokenize='porter unicode61');

-- begin block
CREATE TRIGGER kb_articles_fts_ai AFTER INSERT ON kb_articles BEGIN
    INSERT INTO kb_articles_fts (rowid, title, body, tags) VALUES (new.id, new.title, new.body, new.tags);
END;
-- end block

-- begin block
CREATE TRIGGER kb_articles_fts_ad AFTER DELETE ON kb_articles BEGIN
    INSERT INTO kb_articles_fts (kb_articles_fts, rowid, title, body, tags) VALUES ('delete', old.id, old.title, old.body, old.tags);
END;
-- end block

-- begin block
CREATE TRIGGER kb_articles_fts_au AFTER UPDATE OF title, body, tags ON kb_articles BEGIN
    INSERT INTO kb_articles_fts (kb_articles_fts, rowid, title, body, tags) VALUES ('delete', old.id, old.title, old.body, old.tags);
    INSERT INTO kb_articles_fts (rowid, title, body, tags) VALUES (new.id, new.title, new.body, new.tags);
END;
-- end block

INSERT INTO kb_articles_fts (kb_articles_fts) VALUES ('rebuild');

CREATE VIRTUAL TABLE notes_fts USING fts5(body, content='notes', content_rowid='id', tokenize='porter unicode61');

-- begin block
CREATE TRIGGER notes_fts_ai AFTER INSERT ON notes BEGIN
    INSERT INTO notes_fts (rowid, body) VALUES (new.id, new.body);
END;
-- end block

-- begin block
CREATE TRIGGER notes_fts_ad AFTER DELETE ON notes BEGIN
    INSERT INTO notes_fts (notes_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;
-- end block

-- begin block
CREATE TRIGGER notes_fts_au AFTER UPDATE OF body ON notes BEGIN
    INSERT INTO notes_fts (notes_fts, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO notes_fts (rowid, body) VALUES (new.id, new.body);
END;
-- end block

INSERT INTO notes_fts (notes_fts) VALUES ('rebuild');
