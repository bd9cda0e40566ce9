"""pytest plugin: a failure is always named, even when CPython's AST constructor trips while pytest formats it."""

from __future__ import annotations

import pytest


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failure is always named. CPython 3.11 < 3.11.9 keeps the AST constructor's depth counter in global state
    (gh-106905): when another thread parses while pytest reads a failing test's source (a finalizer run by the GC
    can switch threads mid-parse), `ast.parse` raises SystemError and pytest dies with INTERNALERROR, losing every
    later test. Format that one report natively (the traceback module, no pytest source parsing) instead."""
    try:
        return (yield)
    except SystemError as exc:
        if "AST constructor recursion depth mismatch" not in str(exc):
            raise
        option = item.config.option
        style, option.tbstyle = option.tbstyle, "native"
        try:
            return pytest.TestReport.from_item_and_call(item, call)
        finally:
            option.tbstyle = style
