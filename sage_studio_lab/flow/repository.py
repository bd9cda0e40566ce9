"""Flows and runs in the user's store: the `flows`, `flow_runs` and `flow_run_events` tables.

Each flow comes with `trusted` (its signature is the user's, flow/trust.py). `create` signs by default (a flow
made in the Studio); an import passes `sign=False` and stays untrusted unless its signature matches; `update`
keeps the trust state: a trusted flow saved again is signed again, an untrusted one stays untrusted."""

from __future__ import annotations

import uuid

from ..errors import InvalidInput, NotFound
from ..store import dumps, get_store, loads, now
from . import trust as signatures
from .events import preview
from .spec import FlowSpec, parse_flow

CHAT_RUN_PREFIX = "chat:"  # flow_id of a chat turn's run: chat:<session id> (chat/service.py)

INTERRUPTED = "interrupted"


class FlowRepository:
    def __init__(self, user: str | None = None):
        self.user = user
        self.store = get_store(user)

    # -- flows -----------------------------------------------------------------------------------------
    def list(self) -> list[dict]:
        rows = self.store.query(
            "SELECT id, name, data, created_at, updated_at FROM flows ORDER BY updated_at DESC"
        )
        out = []
        for r in rows:
            data = loads(r.pop("data"), {})
            out.append(
                {
                    **r,
                    "description": data.get("description", ""),
                    "nodes": len(data.get("nodes", [])),
                    "trusted": self._trusted(data),
                }
            )
        return out

    def _trusted(self, data: dict) -> bool:
        try:
            return signatures.is_signed(parse_flow(data), self.user)
        except InvalidInput:  # a row written by an older version that no longer parses: not trusted
            return False

    def get(self, flow_id: str) -> dict:
        row = self.store.query_one("SELECT * FROM flows WHERE id=?", (flow_id,))
        if row is None:
            raise NotFound(f"flow {flow_id!r} not found")
        data = loads(row["data"], {})
        data.update(id=row["id"], name=row["name"])
        return {
            "id": row["id"],
            "name": row["name"],
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
            "flow": data,
            "trusted": self._trusted(data),
        }

    def spec(self, flow_id: str) -> FlowSpec:
        return parse_flow(self.get(flow_id)["flow"])

    def create(self, spec: FlowSpec, sign: bool = True) -> dict:
        flow_id = uuid.uuid4().hex[:12]
        spec.id = flow_id
        t = now()
        self.store.execute(
            "INSERT INTO flows(id, name, data, created_at, updated_at) VALUES (?,?,?,?,?)",
            (flow_id, spec.name, dumps(spec.model_dump(mode="json")), t, t),
        )
        if sign:
            signatures.sign(spec, self.user)
        return self.get(flow_id)

    def update(self, flow_id: str, spec: FlowSpec, sign: bool | None = None) -> dict:
        """Replace a flow; `sign=None` keeps its trust state (signs the new version when the old was trusted)."""
        if sign is None:
            sign = self.get(flow_id)["trusted"]
        spec.id = flow_id
        cur = self.store.execute(
            "UPDATE flows SET name=?, data=?, updated_at=? WHERE id=?",
            (spec.name, dumps(spec.model_dump(mode="json")), now(), flow_id),
        )
        if cur.rowcount == 0:
            raise NotFound(f"flow {flow_id!r} not found")
        if sign:
            signatures.sign(spec, self.user)
        return self.get(flow_id)

    def trust(self, flow_id: str) -> dict:
        """Trust a saved flow (sign its current version)."""
        signatures.sign(self.spec(flow_id), self.user)
        return self.get(flow_id)

    def delete(self, flow_id: str) -> None:
        with self.store.tx() as conn:
            if conn.execute("DELETE FROM flows WHERE id=?", (flow_id,)).rowcount == 0:
                raise NotFound(f"flow {flow_id!r} not found")

    # -- runs ------------------------------------------------------------------------------------------
    def start_run(
        self, run_id: str, spec: FlowSpec, inputs: dict, executor: str, flow_id: str | None
    ) -> None:
        self.store.execute(
            "INSERT INTO flow_runs(id, flow_id, flow, inputs, status, executor, started_at) VALUES (?,?,?,?,?,?,?)",
            (
                run_id,
                flow_id,
                dumps(spec.model_dump(mode="json")),
                dumps(preview(inputs, 4000)),
                "running",
                executor,
                now(),
            ),
        )

    def add_events(self, run_id: str, events: list[dict]) -> None:
        if not events:
            return
        with self.store.tx() as conn:
            conn.executemany(
                "INSERT INTO flow_run_events(run_id, seq, event) VALUES (?,?,?)",
                [(run_id, ev["seq"], dumps(ev)) for ev in events],
            )

    def finish_run(self, run_id: str, status: str, outputs: dict | None, error: str | None) -> None:
        self.store.execute(
            "UPDATE flow_runs SET status=?, outputs=?, error=?, finished_at=? WHERE id=?",
            (status, dumps(outputs or {}), error, now(), run_id),
        )

    def mark_interrupted(self, active_ids: set[str]) -> None:
        """Runs left 'running' by a process that died are not running any more: say so."""
        rows = self.store.query("SELECT id FROM flow_runs WHERE status='running'")
        stale = [r["id"] for r in rows if r["id"] not in active_ids]
        with self.store.tx() as conn:
            for run_id in stale:
                conn.execute(
                    "UPDATE flow_runs SET status=?, error=?, finished_at=? WHERE id=?",
                    (INTERRUPTED, "the process running it stopped", now(), run_id),
                )

    def runs(self, flow_id: str | None = None, limit: int = 50) -> list[dict]:
        """Runs of one flow, or of all flows but chat turns (those have `flow_id` `chat:<session>`)."""
        sql = "SELECT id, flow_id, status, error, executor, started_at, finished_at, outputs FROM flow_runs"
        params: tuple = ()
        if flow_id:
            sql += " WHERE flow_id=?"
            params = (flow_id,)
        else:
            sql += f" WHERE flow_id IS NULL OR flow_id NOT LIKE '{CHAT_RUN_PREFIX}%'"
        rows = self.store.query(sql + " ORDER BY started_at DESC LIMIT ?", (*params, int(limit)))
        for r in rows:
            r["outputs"] = loads(r["outputs"], {})
        return rows

    def prune_chat_runs(self, keep: int) -> int:
        """Keep the newest `keep` chat-turn runs (and their events); returns how many went."""
        with self.store.tx() as conn:
            return conn.execute(
                f"DELETE FROM flow_runs WHERE flow_id LIKE '{CHAT_RUN_PREFIX}%' AND id NOT IN "
                f"(SELECT id FROM flow_runs WHERE flow_id LIKE '{CHAT_RUN_PREFIX}%' "
                "ORDER BY started_at DESC LIMIT ?)",
                (keep,),
            ).rowcount

    def run(self, run_id: str) -> dict:
        row = self.store.query_one("SELECT * FROM flow_runs WHERE id=?", (run_id,))
        if row is None:
            raise NotFound(f"run {run_id!r} not found")
        for key, default in (("flow", {}), ("inputs", {}), ("outputs", {})):
            row[key] = loads(row[key], default)
        return row

    def events(self, run_id: str, after_seq: int = 0) -> list[dict]:
        rows = self.store.query(
            "SELECT event FROM flow_run_events WHERE run_id=? AND seq>? ORDER BY seq", (run_id, after_seq)
        )
        return [loads(r["event"]) for r in rows]
