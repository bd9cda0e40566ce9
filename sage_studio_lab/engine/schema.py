"""Engine tables: one row per engine process this user started (CPU engine or vLLM)."""

MIGRATIONS = [
    """
    CREATE TABLE engines (
        id TEXT PRIMARY KEY,
        backend TEXT NOT NULL,
        model TEXT NOT NULL,
        host TEXT NOT NULL,
        port INTEGER NOT NULL,
        pid INTEGER,
        pid_create_time REAL,
        argv TEXT NOT NULL,
        status TEXT NOT NULL,
        exit_code INTEGER,
        error TEXT,
        log_path TEXT NOT NULL,
        options TEXT NOT NULL DEFAULT '{}',
        started_at REAL NOT NULL,
        stopped_at REAL
    );
    """,
]
