"""The improvement loop's operations: rate and correct answers in a chat, then turn the rated turns into a fine-tune
dataset (versioned, linked to its sessions, listed with the uploaded datasets) or preference pairs for DPO; the
arena (two models side by side, the user's pick feeding the preference pairs)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..chat import arena, ratings
from ..errors import InvalidInput
from ..finetune import dataset_builder, evaluation_runs
from ..finetune.feedback import Filters, Selection
from ..request_json import Name, PathName
from .chat import SESSION_ID, Message
from .finetune import TASK_ID, HistoryPoint
from .registry import operation


class MessageRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: str = Field(pattern=SESSION_ID)
    message_id: Name = Field(min_length=1, description="an answer (assistant message) of the session")


class RateArgs(MessageRef):
    rating: Literal["up", "down"] | None = Field(
        description="👍 `up`, 👎 `down`, or null to clear the rating"
    )
    comment: str | None = Field(None, max_length=4000, description="why (kept with the rating)")


class IdealArgs(MessageRef):
    content: str = Field(min_length=1, description="the answer the model should have given")
    activate: bool = Field(False, description="also show the ideal answer's branch in the chat")


class IdealAnswer(BaseModel):
    ideal: Message  # the new sibling of the original, `metadata.preferred` = true
    original: Message  # the corrected answer, `metadata.rejected_by` = the ideal answer's id


class BuildArgs(Filters):
    name: str = Field(
        "chat feedback", min_length=1, max_length=200, description="builds of a name are versioned"
    )
    eval_ratio: float = Field(0.1, ge=0, lt=1, description="share of the rows held out in eval.jsonl")
    seed: int = Field(42, description="seed of the train/eval shuffle")


class Build(BaseModel):
    """A dataset built from rated chats: an SFT dataset (`dataset_id`, listed by finetune.datasets) or a
    preference file."""

    id: str
    kind: Literal["sft", "preference"]
    name: str
    version: int
    dataset_id: str | None
    path: str
    sessions: list[str]  # the chat sessions its rows came from
    filters: dict[str, Any]
    counts: dict[str, Any]  # selected, duplicates, skipped, train, eval (sft); pairs (preference)
    created_at: float
    available: bool  # false once its dataset or file was deleted


class Builds(BaseModel):
    builds: list[Build]


class PreviewArgs(Filters):
    rows: int = Field(3, ge=0, le=50, description="rows rendered in the preview")
    model: PathName | None = Field(
        None, description="the model whose chat template and tokenizer are used (default: the bundled one)"
    )


class PreviewRow(BaseModel):
    messages: list[dict[str, str]]
    rendered: str  # the row as the model's chat template renders it
    tokens: int
    session_id: str
    answer_id: str
    rated_id: str
    kind: str
    model: str | None


class DatasetPreview(BaseModel):
    selected: int  # rows a build would store (after deduplication)
    duplicates: int
    skipped: dict[str, int]  # reason → count
    rows: list[PreviewRow]
    total_tokens: int
    max_tokens: int
    sessions: list[str]


class PreferenceArgs(Selection):
    name: str | None = Field(None, max_length=200, description="name of the saved, versioned file")
    save: bool = Field(False, description="also store the rows as the next version of `name`")


class PreferenceRow(BaseModel):
    """TRL's conversational preference format (what its DPO trainer reads)."""

    prompt: list[dict[str, str]]
    chosen: list[dict[str, str]]
    rejected: list[dict[str, str]]


class PreferenceExport(BaseModel):
    rows: list[PreferenceRow]
    count: int
    sessions: list[str]
    build: Build | None = None  # when saved


@operation("chat.rate", "POST", "api/chat/sessions/{session_id}/messages/{message_id}/rating")
def rate(args: RateArgs) -> Message:
    """Rate an answer 👍/👎 (with an optional comment), or clear its rating; kept in the message's metadata."""
    return ratings.rate(args.session_id, args.message_id, args.rating, args.comment)


@operation(
    "chat.ideal_answer", "POST", "api/chat/sessions/{session_id}/messages/{message_id}/ideal", status=201
)
def ideal_answer(args: IdealArgs) -> IdealAnswer:
    """Store the answer the model should have given, as a preferred sibling of the answer it corrects."""
    return ratings.ideal_answer(args.session_id, args.message_id, args.content, args.activate)


@operation("improve.build_dataset", "POST", "api/improve/datasets", status=201, blocking=True)
def build_dataset(args: BuildArgs) -> Build:
    """Build the next version of a fine-tune dataset from rated and corrected answers (deduplicated, split)."""
    filters = Filters.model_validate(args.model_dump(include=set(Filters.model_fields)))
    return dataset_builder.build(filters, args.name, args.eval_ratio, args.seed)


@operation("improve.preview_dataset", "POST", "api/improve/datasets/preview", blocking=True)
def preview_dataset(args: PreviewArgs) -> DatasetPreview:
    """What a build would store, writing nothing: counts, and rows rendered with the model's chat template."""
    filters = Filters.model_validate(args.model_dump(include=set(Filters.model_fields)))
    return dataset_builder.preview(filters, args.rows, args.model)


@operation("improve.preference_export", "POST", "api/improve/preferences", blocking=True)
def preference_export(args: PreferenceArgs) -> PreferenceExport:
    """Preference pairs (prompt, chosen = the ideal answer, rejected = the answer it corrected), TRL's shape."""
    selection = Selection.model_validate(args.model_dump(include=set(Selection.model_fields)))
    return dataset_builder.preference_export(selection, args.name, args.save)


@operation("improve.datasets", "GET", "api/improve/datasets")
def datasets() -> Builds:
    """Datasets built from rated chats, newest first, with their versions and source sessions."""
    return Builds(builds=dataset_builder.list_builds())


class EvaluateArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    task_id: PathName = Field(pattern=TASK_ID)
    max_examples: int = Field(
        32, ge=1, le=1000, description="held-out rows scored (the first ones of the split)"
    )
    max_new_tokens: int = Field(64, ge=1, le=2048, description="length of each greedy answer")


class EvaluationRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    task_id: PathName = Field(pattern=TASK_ID)


class EvaluationState(BaseModel):
    """Where a task's evaluation stands, from its `evaluation` events (a killed evaluator reads as failed)."""

    task_id: str
    state: Literal["none", "running", "completed", "failed", "cancelled"]
    phase: str | None = None  # loading | loss | generate
    done: int | None = None
    total: int | None = None
    error: str | None = None
    at: float | None = None


class ModelScores(BaseModel):
    eval_loss: float | None
    perplexity: float | None
    exact_match: float | None
    rouge_l: float | None


class EvaluationSample(BaseModel):
    prompt: str
    reference: str
    base_answer: str
    adapter_answer: str
    base_exact_match: float
    adapter_exact_match: float
    base_rouge_l: float
    adapter_rouge_l: float


class EvaluationSplit(BaseModel, extra="allow"):
    source: Literal["eval", "sample"]  # the held-out split, or a seeded sample of a task without one
    note: str
    rows: int  # rows scored
    dataset_rows: int
    eval_ratio: float
    seed: int


class Throughput(BaseModel, extra="allow"):
    examples: int
    seconds: float
    examples_per_s: float | None
    generation_seconds: float
    answers: int  # generated: one per row and model
    answers_per_s: float | None


class Evaluation(BaseModel, extra="allow"):
    """Base vs adapter on the task's held-out rows (`split.source` "sample" when it held out none)."""

    task_id: str
    evaluated_at: float
    split: EvaluationSplit
    base: ModelScores
    adapter: ModelScores
    samples: list[EvaluationSample]
    throughput: Throughput


class CompareArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    task_ids: str = Field(min_length=1, max_length=4000, description="comma-separated task ids (at most 8)")


class EvaluationMetrics(BaseModel):
    """An evaluation without its sample table."""

    base: ModelScores
    adapter: ModelScores
    split: EvaluationSplit
    throughput: Throughput
    evaluated_at: float


class ComparedTask(BaseModel):
    task_id: str
    name: str | None
    status: str
    evaluation: EvaluationMetrics | None  # null: not evaluated
    history: list[HistoryPoint]  # the training curve


class Comparison(BaseModel):
    tasks: list[ComparedTask]


@operation("improve.evaluate", "POST", "api/improve/tasks/{task_id}/evaluate", status=202, blocking=True)
def evaluate(args: EvaluateArgs) -> EvaluationState:
    """Start scoring base vs adapter on the task's held-out split, in a detached process (409 if one runs)."""
    return evaluation_runs.start(args.task_id, args.max_examples, args.max_new_tokens)


@operation("improve.evaluation_state", "GET", "api/improve/tasks/{task_id}/evaluation/state", blocking=True)
def evaluation_state(args: EvaluationRef) -> EvaluationState:
    """Where the task's evaluation stands: none, running (phase, done/total), completed, failed or cancelled."""
    return evaluation_runs.state(args.task_id)


@operation("improve.cancel_evaluation", "POST", "api/improve/tasks/{task_id}/evaluation/cancel", status=202)
def cancel_evaluation(args: EvaluationRef) -> EvaluationState:
    """Ask the running evaluator to stop (it stops between batches, stores nothing, records `cancelled`)."""
    evaluation_runs.stop(args.task_id)
    return evaluation_runs.state(args.task_id)


@operation("improve.evaluation", "GET", "api/improve/tasks/{task_id}/evaluation", blocking=True)
def evaluation(args: EvaluationRef) -> Evaluation:
    """The task's stored evaluation: metrics of base and adapter, the sample table, throughput (404 before)."""
    return evaluation_runs.result(args.task_id)


@operation("improve.compare", "GET", "api/improve/compare", blocking=True)
def compare(args: CompareArgs) -> Comparison:
    """Several tasks side by side: their evaluation metrics and training loss histories (an overlay chart)."""
    ids = [t.strip() for t in args.task_ids.split(",") if t.strip()]
    if not ids or len(ids) > 8 or len(set(ids)) != len(ids):
        raise InvalidInput("task_ids: give 1 to 8 distinct task ids, comma-separated")
    return Comparison(tasks=evaluation_runs.compare(ids))


# -- the arena (chat/arena.py): the duel itself is the stream `improve.arena` (api/streams.py) ----------------
DUEL_ID = r"^[A-Za-z0-9_-]{1,64}$"  # one path segment (an unknown id is a 404 from the core)


class ArenaArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prompt: str = Field(min_length=1, description="what both models answer")
    model_a: PathName = Field(min_length=1, description="a model or adapter the engine serves (chat.models)")
    model_b: PathName = Field(min_length=1)
    source: Literal["local", "cloud", "auto"] = Field("local", description="where both requests go")
    max_tokens: int | None = Field(None, ge=1, le=4096, description="per answer (default: the chat's)")
    temperature: float | None = Field(None, ge=0, le=2, description="default 0.7, as a new chat; 0 = greedy")
    blind: bool = Field(False, description="hide which model answers as A / B until the pick")


class ArenaSide(BaseModel):
    text: str
    model: str | None  # null in a blind duel
    tokens: int
    ttft_s: float | None
    tok_s: float | None
    latency_s: float
    finish_reason: str | None


class ArenaEvent(BaseModel, extra="allow"):
    """`{type: start, request_id}`, `{type: token, side, text}`, then `{type: done, id, blind, a, b, elapsed_s}`
    (`id` null when cancelled) or `{type: error, status, message}`."""

    type: Literal["start", "token", "done", "error"]
    side: Literal["a", "b"] | None = None
    text: str | None = None
    id: str | None = None
    a: ArenaSide | None = None
    b: ArenaSide | None = None


class PickArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    duel_id: str = Field(pattern=DUEL_ID)
    winner: Literal["a", "b", "tie"]


class Duel(BaseModel):
    id: str
    prompt: str
    model_a: str | None  # null while a blind duel is not picked
    model_b: str | None
    answer_a: str
    answer_b: str
    blind: bool
    winner: Literal["a", "b", "tie"] | None
    created_at: float


class DuelsArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(20, ge=1, le=200)


class Duels(BaseModel):
    duels: list[Duel]


@operation("improve.pick", "POST", "api/improve/arena/{duel_id}/pick")
def pick(args: PickArgs) -> Duel:
    """Record the better answer of a duel (once: 409 after), revealing both models; feeds the preference export."""
    return arena.pick(args.duel_id, args.winner)


@operation("improve.duels", "GET", "api/improve/duels")
def duels(args: DuelsArgs) -> Duels:
    """Recent arena duels, newest first (a blind duel's models hidden until it is picked)."""
    return Duels(duels=arena.duels(args.limit))
