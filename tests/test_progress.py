"""Progress bars of sweeps (tqdm on stderr): points done, rate and ETA, updated per finished chunk, resumed
chunks counted as done at the start; shown on a terminal, forced with ``progress=True`` / ``--progress``, never
with ``quiet`` / ``--quiet`` or on processes other than 0.  No timing is asserted."""
import io
import re
import sys

import numpy as np
import pytest

from jaxem.cli import main
from jaxem.sweeps import Output, register_task

BAR = re.compile(r"(\d+)/7 \[\d\d:\d\d<(\d\d:\d\d|\?)")      # "n/total [elapsed<ETA, rate]"


def _counts(err):
    """The points-done counts the bar showed, in order (a log line above the bar redraws it: repeats dropped)."""
    counts = [int(m.group(1)) for m in BAR.finditer(err)]
    return [c for i, c in enumerate(counts) if i == 0 or c != counts[i - 1]]


def _square(b):
    return {"y": np.asarray(b["x"]) ** 2}


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_forced_bar_counts_points_per_chunk_with_rate_and_eta(tmp_path, capsys):
    out = Output(tmp_path, task="t", progress=True)
    res = out.sweep("s", _square, {"x": np.arange(7.0)}, chunk_size=2)
    np.testing.assert_array_equal(res["y"], np.arange(7.0) ** 2)
    err = capsys.readouterr().err
    assert _counts(err) == [0, 2, 4, 6, 7]
    assert "[jaxem t] s:" in err and "pt/s]" in err
    # the chunk lines still appear (written above the bar), in order
    lines = [m.group(1) for m in re.finditer(r"chunk (\d)/4", err)]
    assert lines == ["1", "2", "3", "4"]
    assert out._bar is None


def test_no_bar_when_stderr_is_not_a_terminal(tmp_path, capsys):
    Output(tmp_path, task="t").sweep("s", _square, {"x": np.arange(7.0)}, chunk_size=2)
    err = capsys.readouterr().err
    assert _counts(err) == [] and "pt/s" not in err
    assert "s: chunk 4/4" in err                             # the progress lines are still there


def test_bar_on_a_terminal_by_default(tmp_path, monkeypatch):
    term = _Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    Output(tmp_path, task="t").sweep("s", _square, {"x": np.arange(7.0)}, chunk_size=3)
    assert _counts(term.getvalue()) == [0, 3, 6, 7]


@pytest.mark.parametrize("quiet, progress", [(True, True), (True, None), (False, False)])
def test_quiet_or_progress_false_shows_no_bar(tmp_path, monkeypatch, quiet, progress):
    term = _Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    Output(tmp_path, task="t", quiet=quiet, progress=progress).sweep("s", _square, {"x": np.arange(7.0)},
                                                                   chunk_size=2)
    assert _counts(term.getvalue()) == []
    assert ("chunk 1/4" in term.getvalue()) == (not quiet)


def test_resumed_chunks_count_as_done_at_the_start(tmp_path, capsys):
    x = np.arange(7.0)
    Output(tmp_path, task="t", quiet=True).sweep("s", _square, {"x": x}, chunk_size=2)
    (chunk,) = tmp_path.glob("s.chunks/*/chunk_00001.npz")
    chunk.unlink()                                            # points 2, 3 are lost
    res = Output(tmp_path, task="t", progress=True).sweep("s", _square, {"x": x}, chunk_size=2)
    np.testing.assert_array_equal(res["y"], x**2)
    assert _counts(capsys.readouterr().err) == [5, 7]       # starts at 5 of 7, one chunk computed


def test_only_process_zero_shows_a_bar(tmp_path, monkeypatch):
    import jax

    term = _Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    monkeypatch.setattr(jax, "process_index", lambda: 1)
    monkeypatch.setattr(jax, "process_count", lambda: 1)
    out = Output(tmp_path / "o", task="t", progress=True, devices=jax.local_devices()[:1])
    out.sweep("s", _square, {"x": np.arange(7.0)}, chunk_size=2)
    assert term.getvalue() == ""


def test_bar_is_closed_when_a_chunk_fails(tmp_path, capsys):
    def fail(b):
        raise KeyboardInterrupt

    out = Output(tmp_path, task="t", progress=True)
    with pytest.raises(KeyboardInterrupt):
        out.sweep("s", fail, {"x": np.arange(7.0)}, chunk_size=2)
    assert out._bar is None
    out.log("after")                                          # a plain line again, not through a closed bar
    assert capsys.readouterr().err.rstrip().endswith("[jaxem t] after")


@register_task("_progress_square", "squares in chunks (test only)", params={})
def _progress_task(params, out):
    out.sweep("sq", _square, {"x": np.arange(7.0)}, chunk_size=2)


@pytest.mark.parametrize("flags, bar", [(["--progress"], True), ([], False), (["--progress", "--quiet"], False)])
def test_cli_progress_flag(tmp_path, capsys, flags, bar):
    cfg = tmp_path / "c.toml"
    cfg.write_text('task = "_progress_square"\n')
    assert main(["run", str(cfg), "--out", str(tmp_path / "o"), "--no-cache", *flags]) == 0
    err = capsys.readouterr().err
    assert (_counts(err) == [0, 2, 4, 6, 7]) == bar and (_counts(err) == []) == (not bar)
