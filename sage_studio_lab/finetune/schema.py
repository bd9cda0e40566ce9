"""Fine-tune tables: tasks, their status transitions, and uploaded datasets."""

MIGRATIONS = [
    """
    CREATE TABLE finetune_tasks (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        base_model TEXT NOT NULL,
        dataset_id TEXT NOT NULL,
        config TEXT NOT NULL,
        status TEXT NOT NULL,
        pid INTEGER,
        pid_create_time REAL,
        exit_code INTEGER,
        error TEXT,
        output_dir TEXT NOT NULL,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE TABLE finetune_transitions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        task_id TEXT NOT NULL REFERENCES finetune_tasks(id) ON DELETE CASCADE,
        status TEXT NOT NULL,
        at REAL NOT NULL,
        note TEXT
    );
    CREATE TABLE datasets (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        format TEXT NOT NULL,
        path TEXT NOT NULL,
        rows INTEGER NOT NULL,
        stats TEXT NOT NULL DEFAULT '{}',
        created_at REAL NOT NULL
    );
    """,
    """
    CREATE TABLE finetune_settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at REAL NOT NULL
    );
    """,
]
