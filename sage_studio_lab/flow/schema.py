"""Flow tables: saved flows (React-Flow JSON), runs and their recorded events."""

MIGRATIONS = [
    """
    CREATE TABLE flows (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        data TEXT NOT NULL,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE TABLE flow_runs (
        id TEXT PRIMARY KEY,
        flow_id TEXT,
        flow TEXT NOT NULL,
        inputs TEXT NOT NULL DEFAULT '{}',
        status TEXT NOT NULL,
        outputs TEXT,
        error TEXT,
        executor TEXT NOT NULL DEFAULT 'local',
        started_at REAL NOT NULL,
        finished_at REAL
    );
    CREATE TABLE flow_run_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id TEXT NOT NULL REFERENCES flow_runs(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        event TEXT NOT NULL
    );
    CREATE INDEX flow_run_events_run ON flow_run_events(run_id, seq);
    """,
    # Signatures of trusted flows (flow/trust.py): an HMAC of a flow's behaviour with the user's secret key, as
    # the notebook notary keeps them; a flow whose signature is here may run Python references.
    """
    CREATE TABLE flow_signatures (
        signature TEXT PRIMARY KEY,
        algorithm TEXT NOT NULL,
        created_at REAL NOT NULL,
        last_seen REAL NOT NULL
    );
    CREATE INDEX flow_signatures_seen ON flow_signatures(last_seen);
    """,
]
