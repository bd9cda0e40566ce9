"""Chat tables: sessions and their messages (a tree: `parent_id` makes edit-and-branch possible); running
turns and stop requests, so a stop in one process (Jupyter server) reaches a turn in another (kernel, CLI);
the datasets built from rated chats (ratings and ideal answers themselves live in the messages' metadata, so
a session export carries them: chat/ratings.py); the arena's duels and picks (chat/arena.py)."""

MIGRATIONS = [
    """
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        settings TEXT NOT NULL DEFAULT '{}',
        active_leaf_id TEXT,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE TABLE messages (
        id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        parent_id TEXT,
        role TEXT NOT NULL,
        content TEXT NOT NULL,
        metadata TEXT NOT NULL DEFAULT '{}',
        created_at REAL NOT NULL
    );
    CREATE INDEX messages_session ON messages(session_id, created_at);
    """,
    """
    CREATE TABLE chat_turns (
        request_id TEXT PRIMARY KEY,
        session_id TEXT,
        pid INTEGER NOT NULL,
        started_at REAL NOT NULL
    );
    CREATE TABLE chat_stop_requests (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        request_id TEXT,
        session_id TEXT,
        created_at REAL NOT NULL
    );
    CREATE INDEX chat_stop_requests_time ON chat_stop_requests(created_at);
    """,
    # kind 'sft': `dataset_id` is the fine-tune `datasets` row it made; 'preference': a chosen/rejected file.
    # Versions count per (kind, name) and are never reused, even after a dataset is deleted.
    """
    CREATE TABLE dataset_builds (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        version INTEGER NOT NULL,
        dataset_id TEXT,
        path TEXT NOT NULL,
        sessions TEXT NOT NULL DEFAULT '[]',
        filters TEXT NOT NULL DEFAULT '{}',
        counts TEXT NOT NULL DEFAULT '{}',
        created_at REAL NOT NULL,
        UNIQUE(kind, name, version)
    );
    """,
    # The arena's duels (chat/arena.py): one prompt, two models' answers, the user's pick (NULL until picked).
    """
    CREATE TABLE arena_duels (
        id TEXT PRIMARY KEY,
        prompt TEXT NOT NULL,
        model_a TEXT NOT NULL,
        model_b TEXT NOT NULL,
        answer_a TEXT NOT NULL,
        answer_b TEXT NOT NULL,
        blind INTEGER NOT NULL DEFAULT 0,
        winner TEXT CHECK (winner IN ('a', 'b', 'tie')),
        created_at REAL NOT NULL
    );
    CREATE INDEX arena_duels_time ON arena_duels(created_at);
    """,
]
