"""Thread counts from the free cores (`sage_studio_lab/cpu.py`): what other processes use is measured without our
own CPU time, a busy core is seen, and the governor follows it with hysteresis."""

from __future__ import annotations

import subprocess
import sys
import time
import types

import pytest

from sage_studio_lab import cpu


def stat_line(cpu_id: int, busy: int, idle: int) -> str:
    # user nice system idle iowait irq softirq steal
    return f"cpu{cpu_id} {busy} 0 0 {idle} 0 0 0 0 0 0\n"


def test_others_load_subtracts_our_own_cpu_time(tmp_path, monkeypatch):
    stat = tmp_path / "stat"
    clock = types.SimpleNamespace(monotonic=lambda: now[0], process_time=lambda: now[1])
    monkeypatch.setattr(cpu, "STAT", str(stat))
    monkeypatch.setattr(cpu, "time", clock)
    monkeypatch.setattr(cpu.os, "sysconf", lambda name: 100)  # 100 ticks a second
    load = cpu.OthersLoad(cpus={0, 1})
    stat.write_text("cpu  0 0 0 0\n" + stat_line(0, 0, 0) + stat_line(1, 0, 0) + stat_line(2, 0, 0))
    now = [0.0, 0.0]
    assert load.sample() is None  # the first sample only starts the interval
    # over 1 s: 150 busy ticks on our two cores (and a busy core 2 we may not run on), 0.5 s of them ours
    stat.write_text("cpu  0 0 0 0\n" + stat_line(0, 100, 0) + stat_line(1, 50, 50) + stat_line(2, 100, 0))
    now = [1.0, 0.5]
    assert load.sample() == pytest.approx(1.0)


def test_a_busy_process_is_seen():
    load = cpu.OthersLoad()
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.3)
        load.sample()
        time.sleep(1.0)
        assert load.sample() >= 0.6  # most of a core (more when other work shares the machine)
    finally:
        spinner.kill()
        spinner.wait()


class FakeLoad:
    def __init__(self):
        self.others = 0.0

    def sample(self):
        return self.others


def governor(monkeypatch, usable: int, fixed=None):
    monkeypatch.setattr(cpu, "usable_cores", lambda: usable)
    monkeypatch.setattr(cpu, "cpu_quota", lambda: None)
    monkeypatch.setattr(cpu, "affinity", lambda: set(range(usable)))
    applied, load = [], FakeLoad()
    gov = cpu.ThreadGovernor(applied.append, fixed=fixed, interval_s=1.0, load=load, report=reported.append)
    return gov, load, applied


reported: list[str] = []


def test_the_governor_follows_the_free_cores_with_hysteresis(monkeypatch):
    gov, load, applied = governor(monkeypatch, usable=2)
    assert gov.adaptive and gov.update(now=0.0) == 1 and applied == [1]  # a 2-core machine starts on one core
    assert gov.update(now=0.5) == 1  # within the interval: no sample
    assert gov.update(now=1.0) == 2  # nobody else busy: both cores
    load.others = 0.4
    assert gov.update(now=2.0) == 2  # a little noise does not make it drop...
    load.others = 1.0
    assert gov.update(now=3.0) == 1  # ...a busy core does
    load.others = 0.3
    assert gov.update(now=4.0) == 1  # and it rises again only when the core is nearly free
    load.others = 0.1
    assert gov.update(now=5.0) == 2
    assert applied == [1, 2, 1, 2] and gov.changes == 3
    assert reported[-2:] == [
        "torch threads 2 -> 1 (others use 1.0 cores)",  # the engine's and the trainer's logs say why
        "torch threads 1 -> 2 (others use 0.1 cores)",
    ]


def test_a_fixed_count_never_changes(monkeypatch):
    gov, load, applied = governor(monkeypatch, usable=2, fixed=2)
    assert not gov.adaptive and gov.update(now=0.0) == 2
    load.others = 1.5
    assert gov.update(now=10.0) == 2 and applied == [2]


def test_many_cores_keep_one_for_the_rest_until_measured(monkeypatch):
    gov, load, _ = governor(monkeypatch, usable=8)
    assert gov.update(now=0.0) == 7
    load.others = 2.6
    assert gov.update(now=1.0) == 5


def test_the_launcher_hands_the_engine_threads_setting_to_the_engine(monkeypatch):
    from sage_studio_lab import settings
    from sage_studio_lab.engine import backends
    from sage_studio_lab.engine.server.cli_args import parse_args

    argv, env = backends.build_command("cpu", "m", 8001)
    assert "--threads" not in argv and env == {}  # 0 = auto: the engine's own governor decides
    monkeypatch.setenv("SAGE_STUDIO_ENGINE_THREADS", "1")
    monkeypatch.setattr(settings, "_current", None)  # read the environment again
    argv, _ = backends.build_command("cpu", "m", 8001)
    assert argv[argv.index("--threads") + 1] == "1"
    assert parse_args(argv[3:]).threads == 1
