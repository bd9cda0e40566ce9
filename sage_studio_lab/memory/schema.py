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

# Per-session memory state: config overrides, the hits of the last recall and the last token budget split.
MIGRATIONS.append(
    """
    CREATE TABLE memory_sessions (
        session_id TEXT PRIMARY KEY,
        config TEXT NOT NULL DEFAULT '{}',
        last_hits TEXT NOT NULL DEFAULT '[]',
        token_budget TEXT NOT NULL DEFAULT '{}',
        updated_at REAL NOT NULL
    );
    """
)
