"""Memory tables: stored memories (text + metadata); vectors live in a FAISS index file beside the DB."""

MIGRATIONS = [
    """
    CREATE TABLE memories (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        text TEXT NOT NULL,
        metadata TEXT NOT NULL DEFAULT '{}',
        created_at REAL NOT NULL
    );
    CREATE INDEX memories_session ON memories(session_id, created_at);
    """,
]
